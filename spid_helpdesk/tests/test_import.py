import csv
import io
import time

from odoo.tests import tagged

from .common import SpidHelpdeskCommon

HEADER = [
    "external_ref",
    "name",
    "client_id",
    "partner_id",
    "status_id",
    "priority",
    "type_id",
    "properties.imp_kind",
    "properties.imp_brand",
    "workunit_ids/date",
    "workunit_ids/user_id",
    "workunit_ids/duration",
    "workunit_ids/action_type",
    "workunit_ids/description",
    "resolution",
    "epilogue",
]
OPTIONS = {
    "has_headers": True,
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "date_format": "%Y-%m-%d",
    "datetime_format": "%Y-%m-%d %H:%M:%S",
    "float_thousand_separator": "",
    "float_decimal_separator": ".",
}


@tagged("post_install", "-at_install")
class TestTicketImport(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.ref = "CLI-001"
        cls.kind = cls.env["spid.ticket.type"].create(
            {
                "name": "Imported hardware",
                "properties_definition": [
                    {
                        "name": "imp_kind",
                        "string": "Hardware type",
                        "type": "selection",
                        "selection": [["printer", "Printer"], ["laptop", "Laptop"]],
                    },
                    {
                        "name": "imp_brand",
                        "string": "Brand",
                        "type": "selection",
                        "selection": [["hp", "HP"], ["dell", "Dell"]],
                    },
                ],
            }
        )
        cls.env["spid.ticket.field.rule"].create(
            {
                "type_id": cls.kind.id,
                "field_name": "imp_kind",
                "field_value": "printer",
                "dependent_field_name": "imp_brand",
                "allowed_values": "hp",
            }
        )
        cls.importer = cls.supervisor
        cls.unit_subtypes = cls.env.ref("spid_helpdesk.mt_workunit_public") | cls.env.ref(
            "spid_helpdesk.mt_workunit_internal"
        )

    def _rows(self, count, bad_row=None):
        """`count` tickets, every tenth with a second work unit on its own line."""
        rows = []
        for index in range(count):
            status = "Closed" if index % 3 == 0 else "In progress"
            if index == bad_row:
                status = "No such status"
            kind, brand = ("Printer", "HP") if index % 2 else ("Laptop", "Dell")
            rows.append(
                [
                    f"INT-{index}", f"Imported ticket {index}",
                    "CLI-001", "rita@client.example.com" if index % 2 else "carl@client.example.com",
                    status, "2", "Imported hardware", kind, brand,
                    f"2024-01-{index % 28 + 1:02d} 10:00:00", "Agent Alpha", "1.5", "answer", "Looked at it",
                    # a closed ticket comes with what closing it asks for
                    *(["solved", "Fixed on site"] if status == "Closed" else ["", ""]),
                ]
            )  # fmt: skip
            if index % 10 == 0:
                rows.append(
                    [
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "2024-02-01 09:00:00",
                        "Agent Beta",
                        "0.25",
                        "event",
                        "",
                        "",
                        "",
                    ]
                )
        return rows

    def _import(self, rows, **options):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows(rows)
        wizard = (
            self.env["base_import.import"]
            .with_user(self.importer)
            .create({"res_model": "spid.ticket", "file": buffer.getvalue().encode(), "file_type": "text/csv"})
        )
        return wizard.execute_import(HEADER, HEADER, dict(OPTIONS, **options))

    def _imported(self):
        return self.env["spid.ticket"].search([("external_ref", "=like", "INT-%")])

    def test_import_500_tickets_then_reimport_without_duplicates(self):
        start = time.time()
        result = self._import(self._rows(500))
        elapsed = time.time() - start
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        tickets = self._imported()
        self.assertEqual(len(tickets), 500)
        self.assertEqual(len(tickets.workunit_ids), 550)
        ticket = tickets.filtered(lambda t: t.external_ref == "INT-10")
        self.assertEqual(ticket.client_id, self.client)
        self.assertEqual(ticket.partner_id, self.requester_2, "requester found by email")
        self.assertEqual(ticket.status_id, self.st_progress, "status found by name")
        self.assertEqual(ticket.type_id, self.kind)
        self.assertEqual(ticket.properties, {"imp_kind": "laptop", "imp_brand": "dell"})
        self.assertEqual(ticket.total_hours, 1.75)
        self.assertEqual(set(ticket.workunit_ids.user_id.mapped("name")), {"Agent Alpha", "Agent Beta"})
        self.assertTrue(tickets.filtered(lambda t: t.external_ref == "INT-0").is_closed)
        self.assertLess(elapsed, 120, "500 tickets import in reasonable time")
        unit_messages = self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "=", ticket.id),
                ("subtype_id", "in", self.unit_subtypes.ids),
            ]
        )
        self.assertEqual(len(unit_messages), 2, "each work unit is in the chatter")
        self.assertEqual(min(unit_messages.mapped("date")).year, 2024, "at the date of the work")
        self.assertFalse(
            self.env["mail.notification"].search(
                [("mail_message_id.model", "=", "spid.ticket"), ("mail_message_id.res_id", "in", tickets.ids)]
            ),
            "an import notifies nobody",
        )

        # the same file again: the same tickets, updated, no work unit twice
        rows = self._rows(500)
        rows[0][1] = "Imported ticket 0, renamed"
        result = self._import(rows)
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        self.assertEqual(self._imported(), tickets)
        self.assertEqual(len(tickets.workunit_ids), 550)
        self.assertEqual(
            tickets.filtered(lambda t: t.external_ref == "INT-0").name, "Imported ticket 0, renamed"
        )

    def test_one_bad_row_imports_nothing(self):
        rows = self._rows(50, bad_row=37)
        result = self._import(rows)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertEqual(len(errors), 1, result["messages"])
        self.assertEqual(errors[0]["field"], "status_id")
        self.assertIn("No such status", errors[0]["message"])
        line = next(i for i, row in enumerate(rows) if row[0] == "INT-37")
        self.assertEqual(errors[0]["rows"]["from"], line, "the message names the line of the file")
        self.assertFalse(self._imported())

    def test_bad_row_in_a_later_batch_imports_nothing(self):
        """The import screen sends big files in batches; the first batch
        checks the whole file."""
        result = self._import(self._rows(60, bad_row=55), limit=20)
        self.assertTrue([m for m in result["messages"] if m["type"] == "error"])
        self.assertFalse(self._imported())
        rows = self._rows(60)
        result = self._import(rows, limit=20)
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        self.assertEqual(result["nextrow"], 20, "a good file goes on batch by batch")
        self.assertEqual(len(self._imported()), len([row for row in rows[:20] if row[0]]))

    def test_dependent_choice_error_names_row_and_fields(self):
        rows = self._rows(5)
        rows[3][8] = "Dell"  # INT-2 is a laptop (valid); INT-3 is a printer: Dell does not go
        rows[4][8] = "Dell"
        result = self._import(rows)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertTrue(errors)
        self.assertIn("Brand “Dell” does not go with Hardware type “Printer”", errors[0]["message"])
        self.assertFalse(self._imported())

    def test_fields_of_every_ticket_import(self):
        self.env.company.spid_ticket_properties_definition = [
            {
                "name": "imp_zone",
                "string": "Zone",
                "type": "selection",
                "selection": [["n", "North"], ["s", "South"]],
            }
        ]
        header = ["external_ref", "name", "client_id", "status_id", "common_properties.imp_zone"]
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, ["INT-Z1", "Zoned", "CLI-001", "New", "South"]])
        wizard = (
            self.env["base_import.import"]
            .with_user(self.importer)
            .create({"res_model": "spid.ticket", "file": buffer.getvalue().encode(), "file_type": "text/csv"})
        )
        result = wizard.execute_import(header, header, OPTIONS)
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        self.assertEqual(self._imported().common_properties, {"imp_zone": "s"})
