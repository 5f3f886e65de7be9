import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon

TEMPLATE = (
    "<p>Client {{ object.client_id.name }} at {{ object.site_id.name ||| the premises }},"
    " serial {{ custom_fields['Serial number'] }}, asked by {{ object.partner_id.name }}.</p>"
    "<div>{{ work_done }}</div>"
)
CODE = "<p>{{ object.env['res.users'].sudo().search([]).mapped('login') }}</p>"


@tagged("post_install", "-at_install")
class TestWorkorderTemplate(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """A type's work order text is a template filled from the ticket; only
    template editors write code in it, and it runs in Odoo's sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # "Restrict Template Rendering": internal users are no template editors
        editor = cls.env.ref("mail.group_mail_template_editor")
        cls.env.ref("base.group_user").write({"implied_ids": [(3, editor.id)]})
        editor.write({"users": [(3, user.id) for user in (cls.manager, cls.agent, cls.supervisor)]})
        cls.editor_manager = new_test_user(
            cls.env,
            "hd_editor",
            groups="base.group_user,spid_helpdesk.group_spid_manager,mail.group_mail_template_editor",
            name="Editor",
        )
        cls.kind = cls.env["spid.ticket.type"].create(
            {
                "name": "Hardware",
                "properties_definition": [
                    {"name": "serial", "string": "Serial number", "type": "char"},
                    {"name": "unset", "string": "Unset field", "type": "char"},
                ],
            }
        )
        cls.ticket = cls._ticket(user_id=cls.agent.id, type_id=cls.kind.id, site_id=cls.site.id)
        cls.ticket.properties = {"serial": "SN-4242"}
        Unit = cls.env["spid.workunit"]
        Unit.create(
            {"ticket_id": cls.ticket.id, "visibility": "public", "description": "<p>Fan replaced</p>"}
        )
        Unit.create(
            {"ticket_id": cls.ticket.id, "visibility": "internal", "description": "<p>Warranty trick</p>"}
        )

    def _print(self, user=None):
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(user or self.agent)
            ._render_qweb_html("spid_helpdesk.action_report_spid_workorder", self.ticket.ids)
        )
        return html.decode()

    def test_placeholders_are_filled_on_the_printed_work_order(self):
        # a manager who is no template editor writes placeholders
        self.kind.with_user(self.manager).workorder_template = TEMPLATE
        self.requester.name = "Rita <b>Requester</b>"
        html = self._print()
        self.assertIn(
            "Client Client SA at Plant, serial SN-4242, asked by Rita &lt;b&gt;Requester&lt;/b&gt;.", html
        )
        self.assertIn("Fan replaced", html, "the work done")
        self.assertNotIn("Warranty trick", html, "internal work stays off the work order")
        self.assertNotIn("{{", html)
        self.assertNotIn("Unset field", html, "unset custom fields stay off the table")
        # an empty value shows the placeholder's default
        self.ticket.site_id = False
        self.assertIn("Client Client SA at the premises", self._print())
        # the PDF prints too
        pdf, _format = (
            self.env["ir.actions.report"]
            .with_user(self.agent)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("spid_helpdesk.action_report_spid_workorder", self.ticket.ids)
        )
        self.assertTrue(pdf.startswith(b"%PDF"), "the PDF prints as the agent")

    def test_text_without_placeholders_prints_as_before(self):
        self.kind.workorder_template = "<p>Check the fans &amp; the <b>power supply</b>.</p>"
        self.assertIn("<p>Check the fans &amp; the <b>power supply</b>.</p>", self._print())

    def test_help_and_preview_on_the_type_form(self):
        kind = self.kind.with_user(self.manager)
        kind.workorder_template = TEMPLATE
        self.assertIn("custom_fields[&#39;Serial number&#39;]", kind.workorder_placeholders)
        self.assertIn("object.client_id.name", kind.workorder_placeholders)
        self.assertEqual(kind.workorder_preview_ticket_id, self.ticket, "the latest ticket of the type")
        self.assertIn("serial SN-4242", kind.workorder_preview)
        # unsaved code of a non-editor is refused in the preview, before it runs
        draft = kind.new({"workorder_template": CODE, "workorder_preview_ticket_id": self.ticket.id})
        self.assertIn("Only members of", draft.workorder_preview)
        self.assertNotIn(self.agent.login, draft.workorder_preview)

    def test_only_template_editors_write_code(self):
        before = self.kind.workorder_template
        answer = self._rpc(
            "hd_agent",
            "spid.ticket.type",
            "write",
            [self.kind.ids, {"workorder_template": TEMPLATE}],
            {"context": {"spid_system": True}},
        )
        self.assertIn("error", answer, "an agent does not change a type")
        for method, args in (
            ("write", [self.kind.ids, {"workorder_template": CODE}]),
            ("create", [{"name": "Sneaky", "workorder_template": CODE}]),
        ):
            answer = self._rpc(
                "hd_manager", "spid.ticket.type", method, args, {"context": {"spid_system": True}}
            )
            self.assertIn("Only members of", json.dumps(answer), f"{method}: {answer}")
        self.kind.invalidate_recordset()
        self.assertEqual(self.kind.workorder_template, before)
        self.assertFalse(self.env["spid.ticket.type"].search([("name", "=", "Sneaky")]))
        with self.assertRaisesRegex(AccessError, "Only members of"):
            self.kind.with_user(
                self.manager
            ).workorder_template = "<p>{{ object.partner_id.sudo().email }}</p>"

        # a template editor may, and the code runs as the printing user, in the sandbox
        self.kind.with_user(self.editor_manager).workorder_template = CODE
        self.assertIn(self.agent.login, self._print())
        self.kind.with_user(self.editor_manager).workorder_template = "<p>{{ object.__class__ }}</p>"
        with self.assertRaisesRegex(UserError, "cannot be filled for ticket"):
            self._print()

    def test_rendering_errors_are_explained(self):
        self.kind.with_user(self.manager).workorder_template = "<p>{{ custom_fields['Colour'] }}</p>"
        with self.assertRaisesRegex(UserError, r"Hardware cannot be filled for ticket .*Colour"):
            self._print()
        self.assertIn("Colour", self.kind.with_user(self.manager).workorder_preview)
