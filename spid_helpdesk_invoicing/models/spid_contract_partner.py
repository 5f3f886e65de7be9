from odoo import _, api, fields, models

INTERNAL = "base.group_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    spid_contract_ids = fields.One2many("spid.contract", "client_id", string="Hour banks", groups=INTERNAL)
    spid_contract_running = fields.Boolean(
        compute="_compute_spid_contract_running",
        store=True,
        string="Has a running hour bank",
        groups=INTERNAL,
    )
    spid_contract_count = fields.Integer(
        compute="_compute_spid_contract_hours", string="Hour bank count", groups=INTERNAL
    )
    spid_contract_hours_left = fields.Float(
        compute="_compute_spid_contract_hours",
        string="Prepaid hours left",
        groups=INTERNAL,
        help="Balance of the client's running hour banks.",
    )

    @api.depends("spid_contract_ids.state")
    def _compute_spid_contract_running(self):
        for partner in self:
            partner.spid_contract_running = any(c.state == "running" for c in partner.spid_contract_ids)

    @api.depends("spid_contract_ids.hours_left", "spid_contract_ids.state")
    def _compute_spid_contract_hours(self):
        counts = {}
        left = {}
        clients = self.commercial_partner_id
        if clients.ids:
            for client, state, count, hours in self.env["spid.contract"]._read_group(
                [("client_id", "in", clients.ids)], ["client_id", "state"], ["__count", "hours_left:sum"]
            ):
                counts[client.id] = counts.get(client.id, 0) + count
                if state == "running":
                    left[client.id] = left.get(client.id, 0.0) + hours
        for partner in self:
            client = partner.commercial_partner_id
            partner.spid_contract_count = counts.get(client.id, 0)
            partner.spid_contract_hours_left = left.get(client.id, 0.0)

    def action_view_spid_contracts(self):
        self.ensure_one()
        client = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Hour banks of %s", client.display_name),
            "res_model": "spid.contract",
            "view_mode": "list,form",
            "domain": [("client_id", "=", client.id)],
            "context": {"default_client_id": client.id},
        }
