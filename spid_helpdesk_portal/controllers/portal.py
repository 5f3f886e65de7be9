from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import html2plaintext

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.spid_ticket import clean_form_values

PAGE_SIZE = 20


def error_messages():
    """The errors a ticket page shows, by the fixed code in its URL: the
    page never prints text taken from the URL."""
    return {
        "reply": _(
            "Your answer was not sent: write a message, or attach files of an accepted kind"
            " (PDF, images, text, office files; 10 MB each, 5 at most)."
        ),
        "close": _("This ticket cannot be closed from here in its current status."),
        "reopen": _(
            "This ticket cannot be reopened: say what is still wrong. A locked ticket cannot be reopened."
        ),
        "denied": _("Only the requester of the ticket can do this."),
        "edit": _("This request can no longer be edited: it is closed or locked."),
    }


def uploaded_files():
    """(name, content, mimetype) of the files posted as `attachments`."""
    return [
        (upload.filename, upload.read(), upload.mimetype)
        for upload in request.httprequest.files.getlist("attachments")
        if upload and upload.filename
    ]


class SpidHelpdeskPortal(CustomerPortal):
    """Routes check access and call one model method; the rules live on the
    model (record rules and `_spid_portal_domain`)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "spid_ticket_count" in counters:
            Ticket = request.env["spid.ticket"]
            values["spid_ticket_count"] = (
                Ticket.search_count(Ticket._spid_portal_domain()) if Ticket.has_access("read") else 0
            )
        return values

    def _spid_searchbar(self):
        sortings = {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "reference": {"label": _("Reference"), "order": "reference desc"},
            "status": {"label": _("Status"), "order": "status_id, id desc"},
            "urgency": {"label": _("Urgency"), "order": "urgency desc, id desc"},
        }
        filters = {
            "open": {"label": _("Open"), "domain": [("is_closed", "=", False)]},
            "waiting": {
                "label": _("Waiting for me"),
                "domain": [("is_closed", "=", False), ("status_id.reply_status_id", "!=", False)],
            },
            "closed": {"label": _("Closed"), "domain": [("is_closed", "=", True)]},
            "all": {"label": _("All"), "domain": []},
        }
        return sortings, filters

    # readonly: the list and the page only read (no token, no is_read, no
    # log): with db_replica_host set, Odoo serves them from the replica
    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_tickets(self, page=1, sortby="date", filterby="open", search=None, groupby=None, **kw):
        Ticket = request.env["spid.ticket"]
        sortings, filters = self._spid_searchbar()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "open"
        groupby = groupby if groupby in ("none", "status") else "none"
        domain = Ticket._spid_portal_domain() + filters[filterby]["domain"]
        search = clean_form_values({"search": search})["search"]
        if search:
            domain += ["|", "|", ("reference", "ilike", search), ("name", "ilike", search),
                       ("description", "ilike", search)]  # fmt: skip
        count = Ticket.search_count(domain)
        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby, "search": search, "groupby": groupby},
            total=count,
            page=page,
            step=PAGE_SIZE,
        )
        order = sortings[sortby]["order"]
        if groupby == "status":
            order = "status_id, " + order
        tickets = Ticket.search(domain, order=order, limit=PAGE_SIZE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": tickets,
                "page_name": "spid_ticket",
                "pager": pager,
                "default_url": "/my/tickets",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "search": search,
                "search_in": "all",
                "searchbar_inputs": {
                    "all": {"input": "all", "label": _("Search in reference, title and text")}
                },
                "groupby": groupby,
                "searchbar_groupby": {
                    "none": {"input": "none", "label": _("None")},
                    "status": {"input": "status", "label": _("Status")},
                },  # fmt: skip
            }
        )
        return request.render("spid_helpdesk_portal.portal_my_tickets", values)

    def _spid_ticket_or_404(self, ticket_id, access_token=None):
        try:
            return self._document_check_access("spid.ticket", ticket_id, access_token)
        except (AccessError, MissingError):
            return None

    @http.route(["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_ticket(self, ticket_id, access_token=None, error=None, **kw):
        ticket = self._spid_ticket_or_404(ticket_id, access_token)
        if ticket is None:
            return request.not_found()
        return self._spid_render_ticket(
            ticket, access_token, error_messages().get(error) if isinstance(error, str) else None
        )

    def _spid_render_ticket(self, ticket, access_token=None, error=None, edit_values=None):
        """The ticket's page; `edit_values`: what the customer just posted in
        the edit form, shown again (open) with `error`."""
        workunits = ticket._spid_portal_workunits()
        is_requester = ticket.partner_id == request.env.user.partner_id
        # _document_check_access answers as superuser: asked as the visitor
        can_edit = ticket.with_env(request.env)._spid_portal_can_edit()
        rating_token = ticket._spid_portal_rating_token() if ticket.is_closed and is_requester else False
        values = self._get_page_view_values(ticket, access_token, {
            "ticket": ticket,
            "workunits": workunits,
            "workunit_files": workunits._spid_portal_files(),
            "interventions": ticket.intervention_ids.filtered(lambda i: i.state != "cancelled"),
            "answers": ticket._spid_portal_answers(),
            "page_name": "spid_ticket",
            "error": error,
            "can_act": is_requester,
            "can_edit": can_edit,
            "edit": self._spid_edit_form_values(ticket, edit_values) if can_edit else None,
            "show_time": ticket.client_id.spid_portal_show_time,
            "rating_token": rating_token,
        }, "my_tickets_history", False)  # fmt: skip
        return request.render("spid_helpdesk_portal.portal_my_ticket", values)

    def _spid_edit_form_values(self, ticket, posted=None):
        """The edit form's values: the ticket's own, or those just posted."""
        ticket = ticket.sudo()
        if posted is not None:
            values = {key: value for key, value in posted.items() if isinstance(value, str)}
            return {"open": True, "values": values}
        values = {
            "name": ticket.name,
            "urgency": ticket.urgency,
            "description": html2plaintext(ticket.description or "").strip(),
        }
        if ticket.type_id:
            answers = ticket.properties or {}
            for definition in ticket.type_id._spid_portal_property_definitions():
                value = answers.get(definition["name"])
                if value not in (None, False, "") or definition["type"] == "boolean":
                    values[f"prop_{definition['name']}"] = "1" if value is True else str(value or "")
        return {"open": False, "values": values}

    def _spid_render_new_ticket_form(self, error=None, values=None):
        partner = request.env.user.partner_id
        client = partner.commercial_partner_id
        page = self._prepare_portal_layout_values()
        page.update(
            {
                "page_name": "spid_ticket_new",
                "categories": request.env["spid.ticket"]._spid_portal_categories(),
                "types": request.env["spid.ticket.type"]
                .sudo()
                .search(request.env["spid.ticket.type"]._spid_portal_domain(partner)),
                "sites": request.env["res.partner"]
                .sudo()
                .search(request.env["res.partner"]._spid_site_domain(client)),
                "error": error,
                # only what the customer just posted is shown again, never the URL's
                "values": {key: value for key, value in (values or {}).items() if isinstance(value, str)},
            }
        )
        return request.render("spid_helpdesk_portal.portal_new_ticket", page)

    @http.route(["/my/tickets/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_new_ticket_form(self, **kw):
        return self._spid_render_new_ticket_form()

    @http.route(["/my/tickets/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_new_ticket(self, **post):
        attachments = uploaded_files()
        try:
            ticket = request.env["spid.ticket"]._spid_portal_create(post, attachments)
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            return self._spid_render_new_ticket_form(error=error.args[0], values=post)
        return request.redirect(ticket.access_url)

    def _spid_post_action(self, ticket_id, code, action):
        """Run `action(ticket)` for a POST on a ticket the user may read; on
        refusal, back to the page with the fixed error `code`."""
        if self._spid_ticket_or_404(ticket_id) is None or request.env.user._is_public():
            return request.not_found()
        # _document_check_access answers as superuser: act as the customer
        ticket = request.env["spid.ticket"].browse(ticket_id)
        try:
            action(ticket)
        except (UserError, ValidationError, AccessError) as error:
            request.env.cr.rollback()
            code = "denied" if isinstance(error, AccessError) else code
            return request.redirect(f"/my/tickets/{ticket_id}?{url_encode({'error': code})}")
        return request.redirect(f"/my/tickets/{ticket_id}")

    @http.route(
        ["/my/tickets/<int:ticket_id>/reply"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_ticket_reply(self, ticket_id, message="", **kw):
        attachments = uploaded_files()
        return self._spid_post_action(
            ticket_id, "reply", lambda t: t._spid_portal_reply(message, attachments)
        )

    @http.route(
        ["/my/tickets/<int:ticket_id>/close"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_ticket_close(self, ticket_id, **kw):
        return self._spid_post_action(ticket_id, "close", lambda t: t._spid_portal_close())

    @http.route(
        ["/my/tickets/<int:ticket_id>/reopen"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_ticket_reopen(self, ticket_id, reason="", **kw):
        return self._spid_post_action(ticket_id, "reopen", lambda t: t._spid_portal_reopen(reason))

    @http.route(
        ["/my/tickets/<int:ticket_id>/edit"], type="http", auth="user", methods=["POST"], website=True
    )
    def portal_ticket_edit(self, ticket_id, **post):
        """The requester corrects their open request; a refused value shows
        the form again with what they typed and why."""
        ticket = self._spid_ticket_or_404(ticket_id)
        if ticket is None or request.env.user._is_public():
            return request.not_found()
        post.pop("csrf_token", None)
        try:
            # as the customer: the model method checks who asks
            request.env["spid.ticket"].browse(ticket_id)._spid_portal_edit(post)
        except AccessError:  # before UserError, its parent
            request.env.cr.rollback()
            return request.redirect(f"/my/tickets/{ticket_id}?{url_encode({'error': 'denied'})}")
        except ValidationError as error:
            request.env.cr.rollback()
            return self._spid_render_ticket(ticket, error=error.args[0], edit_values=post)
        except UserError:
            request.env.cr.rollback()
            return request.redirect(f"/my/tickets/{ticket_id}?{url_encode({'error': 'edit'})}")
        return request.redirect(f"/my/tickets/{ticket_id}")
