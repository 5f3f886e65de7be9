"""The email templates that changed with the team's voice and that nobody
edited (pre-migrate marked them noupdate = false) are loaded again from the
addon's data; Odoo's update skips every record of a noupdate block, so this
reads the file and loads those records only. They are then administrators'
data again (noupdate), as every email template of the addon."""

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import file_open
from odoo.tools.convert import xml_import

DATA = "spid_helpdesk/data/mail_template_data.xml"


def migrate(cr, version):
    cr.execute(
        """SELECT name FROM ir_model_data
            WHERE module = 'spid_helpdesk' AND model = 'mail.template' AND NOT noupdate"""
    )
    names = {name for (name,) in cr.fetchall()}
    if not names:
        return
    with file_open(DATA, "rb") as data:
        root = etree.parse(data).getroot()
    for record in root.iter("record"):
        if record.get("id") not in names:
            record.getparent().remove(record)
    env = api.Environment(cr, SUPERUSER_ID, {})
    xml_import(env, "spid_helpdesk", {}, mode="init", noupdate=True, xml_filename=DATA).parse(root)
    # the load wrote the English text only: the other languages' old texts
    # go, and the translation load that follows this script fills them from
    # the addon's catalogues (it never overwrites a stored translation)
    cr.execute(
        """UPDATE mail_template t SET body_html = jsonb_build_object('en_US', t.body_html->'en_US')
             FROM ir_model_data d
            WHERE d.module = 'spid_helpdesk' AND d.model = 'mail.template'
              AND d.res_id = t.id AND d.name IN %s""",
        [tuple(names)],
    )
    cr.execute(
        "UPDATE ir_model_data SET noupdate = true WHERE module = 'spid_helpdesk' AND name IN %s",
        [tuple(names)],
    )
