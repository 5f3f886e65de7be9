from odoo import models


class RatingRating(models.Model):
    """The record rules of ratings are checked on the rows as they are
    before a write: a rating of another document moved onto a ticket
    (`res_model_id`, `res_id`) would slip past them. The rules are checked
    again on the rows as written, so that only who may hold ratings of
    tickets (supervisors) moves one there."""

    _inherit = "rating.rating"

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and {"res_model_id", "res_model", "res_id"} & set(vals):
            self.check_access("write")
        return res
