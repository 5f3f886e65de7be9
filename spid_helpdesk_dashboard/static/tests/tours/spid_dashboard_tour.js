/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { rpc } from "@web/core/network/rpc";

/**
 * The dashboard's spreadsheet, found in the web client's component tree
 * (the grid is a canvas: its figures are read from the spreadsheet model
 * the dashboard action renders).
 */
function activeDashboard() {
    const stack = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (stack.length) {
        const node = stack.pop();
        const dashboard = node.component?.state?.activeDashboard;
        if (dashboard?.model) {
            return dashboard;
        }
        stack.push(...Object.values(node.children));
    }
    return undefined;
}

/** The evaluated value of `cell` ("A1") of the sheet `sheetName`. */
function cellValue(model, sheetName, cell) {
    const sheetId = model.getters.getSheetIdByName(sheetName);
    const col = cell.charCodeAt(0) - 65;
    const row = Number(cell.slice(1)) - 1;
    return model.getters.getEvaluatedCell({ sheetId, col, row }).value;
}

/** Waits until the cells hold numbers (their pivots are loaded), at most 30 s. */
async function waitForNumbers(cells) {
    for (let attempt = 0; attempt < 300; attempt++) {
        const dashboard = activeDashboard();
        if (dashboard) {
            const values = cells.map((cell) => cellValue(dashboard.model, "Data", cell));
            if (values.every((value) => typeof value === "number")) {
                return values;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const dashboard = activeDashboard();
    const values = dashboard && cells.map((cell) => cellValue(dashboard.model, "Data", cell));
    throw new Error(`The dashboard's figures did not load: ${JSON.stringify(values)}`);
}

registry.category("web_tour.tours").add("spid_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "spreadsheet_dashboard.spreadsheet_dashboard_menu_root",
            "Open the Dashboards app"
        ),
        {
            content: "Pick the Helpdesk dashboard",
            trigger: ".o_search_panel_category_value[data-name='Helpdesk']",
            run: "click",
        },
        {
            content: "Its figures: the open tickets are those the supervisor can count",
            trigger: ".o_search_panel_category_value.active[data-name='Helpdesk']",
            run: async () => {
                const [open, breached, hours, turnover] = await waitForNumbers([
                    "B2",
                    "B4",
                    "B5",
                    "B7",
                ]);
                const dashboard = activeDashboard();
                const expected = await rpc("/web/dataset/call_kw/spid.ticket/search_count", {
                    model: "spid.ticket",
                    method: "search_count",
                    args: [[["is_closed", "=", false]]],
                    kwargs: {},
                });
                if (!(open > 0) || open !== expected) {
                    throw new Error(`The KPI counts ${open} open tickets, the supervisor ${expected}`);
                }
                const shown = cellValue(dashboard.model, "Data", "C2");
                if (String(shown) !== String(open)) {
                    throw new Error(`The KPI shows ${shown} for ${open} open tickets`);
                }
                // the team x status table spilled under its title
                const teams = ["A9", "A10"].map((cell) => cellValue(dashboard.model, "Dashboard", cell));
                if (!teams.some(Boolean)) {
                    throw new Error("The open tickets by team and status are not shown");
                }
                console.log(
                    `spid dashboard figures: open=${open} breached=${breached} hours=${hours} turnover=${turnover}`
                );
            },
        },
    ],
});
