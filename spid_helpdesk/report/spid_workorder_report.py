import re

from lxml import etree, html
from markupsafe import Markup

from odoo import _, api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, is_html_empty
from odoo.tools.rendering_tools import INLINE_TEMPLATE_REGEX, parse_inline_template

from odoo.addons.base.models.ir_qweb import QWebException

# What a type's author may write without being a template editor: these
# paths of the ticket, its custom fields by label and the work done.
WORKORDER_PLACEHOLDERS = (
    "object.reference",
    "object.name",
    "object.description",
    "object.client_id.name",
    "object.client_id.phone",
    "object.site_id.name",
    "object.site_id.street",
    "object.site_id.zip",
    "object.site_id.city",
    "object.partner_id.name",
    "object.partner_id.phone",
    "object.partner_id.email",
    "object.user_id.name",
    "object.team_id.name",
    "object.category_id.complete_name",
    "object.type_id.name",
    "object.company_id.name",
    "work_done",
)
CUSTOM_FIELD = re.compile(r"custom_fields\[(?P<quote>['\"])[^'\"\\\n]*(?P=quote)\]")


class ReportSpidWorkorder(models.AbstractModel):
    """The work order a technician takes on site and the client signs: what
    the template shows beside the ticket's own fields, prepared per ticket.

    The text of the ticket's type is a template of Odoo's mail rendering:
    `{{ expression }}` placeholders in its text are filled from the ticket
    (`object`), its custom fields (`custom_fields['Label']`) and its public
    work (`work_done`), in QWeb, which escapes what it prints and evaluates
    in Odoo's sandbox. The stored text is trusted as a mail template's is:
    who may write what is checked when a type is saved
    (`spid.ticket.type._spid_check_workorder_template`)."""

    _name = "report.spid_helpdesk.report_spid_workorder"
    _inherit = ["mail.render.mixin"]
    _description = "Work order"
    _unrestricted_rendering = True

    @api.model
    def _get_report_values(self, docids, data=None):
        tickets = self.env["spid.ticket"].browse(docids)
        # in the language the work order is printed in, the requester's
        property_rows = {
            ticket.id: self.with_context(lang=ticket.partner_id.lang or self.env.lang)._spid_property_rows(
                ticket
            )
            for ticket in tickets
        }
        # internal work stays off the paper the client signs
        public_units = {
            ticket.id: ticket.workunit_ids.filtered(lambda unit: unit.visibility == "public").sorted("date")
            for ticket in tickets
        }
        return {
            "doc_ids": docids,
            "doc_model": "spid.ticket",
            "docs": tickets,
            "property_rows": {
                key: [row for row in rows if row[1] is not False] for key, rows in property_rows.items()
            },
            "public_units": public_units,
            "workorder_texts": {
                ticket.id: self.with_context(
                    lang=ticket.partner_id.lang or self.env.lang
                )._spid_render_workorder(
                    ticket.type_id.workorder_template,
                    ticket,
                    dict(property_rows[ticket.id]),
                    public_units[ticket.id],
                )
                for ticket in tickets
            },
        }

    @api.model
    def _spid_property_rows(self, ticket):
        """[(label, value as text)] of the ticket's custom fields, False when
        not set (a placeholder's default then shows): the fields of every
        ticket, then those of its type."""
        rows = []
        values = ticket.read(["common_properties", "properties"])[0]
        for prop in (values["common_properties"] or []) + (values["properties"] or []):
            value, kind = prop.get("value"), prop.get("type")
            if value in (False, None, "", []):
                value = False
            elif kind == "selection":
                value = dict(prop.get("selection") or []).get(value, value)
            elif kind == "many2one" and isinstance(value, list | tuple):
                value = value[1]
            elif kind in ("many2many", "tags") and isinstance(value, list):
                value = ", ".join(str(v[1]) if isinstance(v, list | tuple) else str(v) for v in value)
            elif kind == "boolean":
                value = _("Yes")
            rows.append((prop.get("string") or prop.get("name"), value))
        return rows

    # ------------------------------------------------------------
    # The type's template
    # ------------------------------------------------------------

    @api.model
    def _spid_template_expressions(self, template):
        """The expressions of the `{{ }}` placeholders in the text of the
        HTML `template` (attributes are never filled)."""
        if not template or "{{" not in template:
            return []
        root = html.fragment_fromstring(str(template), create_parent="div")
        expressions = []
        for text in root.itertext():
            expressions += [
                expression for _literal, expression, _default in parse_inline_template(text) if expression
            ]
        return expressions

    @api.model
    def _spid_placeholder_help(self):
        """[(placeholder, what it prints)] for the type form's help."""
        labels = [
            _("Ticket reference"),
            _("Ticket title"),
            _("Request (description)"),
            _("Client's name"),
            _("Client's phone"),
            _("Site's name"),
            _("Site's street"),
            _("Site's ZIP"),
            _("Site's city"),
            _("Requester's name"),
            _("Requester's phone"),
            _("Requester's email"),
            _("Assigned agent's name"),
            _("Team's name"),
            _("Category (full path)"),
            _("Type's name"),
            _("Company's name"),
            _("Work done (public work units)"),
        ]
        return list(zip(WORKORDER_PLACEHOLDERS, labels, strict=True))

    @api.model
    def _spid_is_placeholder(self, expression):
        """A placeholder anybody who may edit a type may write."""
        expression = expression.strip()
        return (
            expression in WORKORDER_PLACEHOLDERS
            or bool(CUSTOM_FIELD.fullmatch(expression))
            or self.env["ir.qweb"]._is_expression_allowed(expression, "spid.ticket")
        )

    @api.model
    def _spid_template_to_qweb(self, template):
        """QWeb source of the HTML `template`: each placeholder of its text
        becomes `<t t-out="expression">default</t>`; anything that QWeb
        would read as an instruction is neutralised first (the field is
        sanitised, this is one more guard)."""
        root = html.fragment_fromstring(str(template), create_parent="div")
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag == "t":
                element.tag = "span"
            for name in [name for name in element.attrib if name.startswith("t-")]:
                del element.attrib[name]
        for element in list(root.iter()):
            if not isinstance(element.tag, str):
                continue
            if element.text and "{{" in element.text:
                self._spid_split_placeholders(element, element.text, into_text=True)
            if element is not root and element.tail and "{{" in element.tail:
                self._spid_split_placeholders(element, element.tail, into_text=False)
        source = etree.tostring(root, encoding="unicode", method="html")
        return source[len("<div>") : -len("</div>")]

    @api.model
    def _spid_split_placeholders(self, element, text, into_text):
        """Replace the text (or tail) `text` of `element` by its literals and
        a `<t t-out>` per placeholder."""
        parts = parse_inline_template(text)
        nodes = []
        for literal, expression, default in parts:
            nodes.append(literal)
            if expression:
                node = etree.Element("t", {"t-out": expression})
                node.text = default.strip() or None
                nodes.append(node)
        leading = nodes[0] if nodes and isinstance(nodes[0], str) else ""
        rest = nodes[1:] if nodes and isinstance(nodes[0], str) else nodes
        if into_text:
            element.text = leading
            anchor, index = None, 0
        else:
            element.tail = leading
            anchor, index = element, element.getparent().index(element) + 1
        parent = element if into_text else element.getparent()
        for item in rest:
            if isinstance(item, str):
                if anchor is None:
                    parent.text = (parent.text or "") + item
                else:
                    anchor.tail = (anchor.tail or "") + item
            else:
                parent.insert(index, item)
                anchor, index = item, index + 1

    @api.model
    def _spid_work_done(self, units):
        """The public work of a ticket, as HTML for `work_done`."""
        if not units:
            return Markup()
        items = Markup().join(
            Markup("<li>%s — %s%s</li>")
            % (
                format_date(self.env, unit.date),
                unit.user_id.name or "",
                Markup(": ") + unit.description if not is_html_empty(unit.description) else "",
            )
            for unit in units
        )
        return Markup("<ul>%s</ul>") % items

    @api.model
    def _spid_render_workorder(self, template, ticket, custom_fields, units):
        """The type's `template` filled for `ticket`, as Markup; a text
        without placeholders as it is. A template that cannot be filled
        (unknown custom field, bad expression) gives a clear UserError."""
        if not template or is_html_empty(template):
            return Markup()
        if not INLINE_TEMPLATE_REGEX.search(str(template)):
            return Markup(template)
        try:
            rendered = self._render_template(
                self._spid_template_to_qweb(template),
                "spid.ticket",
                ticket.ids,
                engine="qweb",
                add_context={"custom_fields": custom_fields, "work_done": self._spid_work_done(units)},
            )[ticket.id]
        except (UserError, AccessError, QWebException, SyntaxError, ValueError, etree.ParserError) as error:
            cause = error
            while cause.__cause__ is not None:
                cause = cause.__cause__
            detail = f"{type(cause).__name__}: {cause}" if cause is not error else str(error).splitlines()[0]
            raise UserError(
                _(
                    "The work order text of the type %(type)s cannot be filled for ticket %(ticket)s:"
                    " %(error)s. Check its placeholders on the type's Work order tab.",
                    type=ticket.type_id.name,
                    ticket=ticket.reference,
                    error=detail,
                )
            ) from error
        return Markup(rendered)
