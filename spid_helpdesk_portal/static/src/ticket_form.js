/** @odoo-module */

// The new-request form shows the custom fields of the chosen type only.
function showTypeFields() {
    const select = document.querySelector("#spid_type");
    if (!select) {
        return;
    }
    for (const fieldset of document.querySelectorAll(".spid_type_fields")) {
        const shown = fieldset.dataset.typeId === select.value;
        fieldset.classList.toggle("d-none", !shown);
        fieldset.disabled = !shown;
    }
}

document.addEventListener("change", (ev) => {
    if (ev.target && ev.target.id === "spid_type") {
        showTypeFields();
    }
});
if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showTypeFields);
} else {
    showTypeFields();
}
