from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

# A record of these models is visible to an agent when its ticket is.
PREFIX = "ticket_id."


@tagged("post_install", "-at_install")
class TestSecurityRules(TransactionCase):
    """The agent's visibility of a ticket is written once per model that
    hangs off tickets (security/spid_helpdesk_security.xml): these copies
    must say the same, so that a fix to one cannot forget the others."""

    def _agent_read_rules(self):
        """The agents' read rules on tickets and on every model with a
        `ticket_id` to them, found in the database (a new copy, in any
        addon, is checked without being listed here)."""
        agent = self.env.ref("spid_helpdesk.group_spid_agent")
        rules = self.env["ir.rule"].search([("groups", "in", agent.ids), ("perm_read", "=", True)])
        return rules.filtered(
            lambda rule: rule.model_id.model == "spid.ticket"
            or getattr(self.env[rule.model_id.model]._fields.get("ticket_id"), "comodel_name", None)
            == "spid.ticket"
        )

    def _terms(self, rule):
        """The rule's domain, evaluated as Odoo does (whitespace and quoting
        no longer matter), its terms named from the ticket."""
        on_ticket = rule.model_id.model == "spid.ticket"
        terms = []
        for term in safe_eval(rule.domain_force, self.env["ir.rule"]._eval_context()):
            if isinstance(term, list | tuple):
                path, operator, value = term
                if not on_ticket:
                    self.assertTrue(path.startswith(PREFIX), f"{rule.name}: {path} is not the ticket's")
                    path = path.removeprefix(PREFIX)
                term = (path, operator, value)
            terms.append(term)
        return terms

    def test_agent_visibility_is_one_domain(self):
        rules = self._agent_read_rules()
        ticket_rule = self.env.ref("spid_helpdesk.spid_ticket_rule_agent")
        self.assertIn(ticket_rule, rules)
        # tickets, work units, links, SLA clocks and both analyses at least
        self.assertGreaterEqual(len(rules.model_id), 6, rules.mapped("name"))
        expected = self._terms(ticket_rule)
        # the five terms are written once, in the ticket's search method
        self.assertEqual(expected, [("visible_to_agent_id", "=", self.env.user.id)])
        for rule in rules - ticket_rule:
            self.assertEqual(self._terms(rule), expected, f"{rule.name} differs from {ticket_rule.name}")

    def test_same_text_once_whitespace_is_normalised(self):
        """The copies are the same text too, but for the `ticket_id.` prefix
        and whitespace: a search-and-replace reaches them all."""
        rules = self._agent_read_rules()
        texts = {
            rule.name: "".join(rule.domain_force.split())
            .replace(f"'{PREFIX}", "'")
            .replace(f'"{PREFIX}', '"')
            for rule in rules
        }
        self.assertEqual(len(set(texts.values())), 1, texts)
