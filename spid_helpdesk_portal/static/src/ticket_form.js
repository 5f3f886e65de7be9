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

// Dependent choices: a selection whose choices depend on another one shows
// only those that go with it (the server checks them again on save).
function filterDependentChoices(fieldset) {
    const rules = JSON.parse(fieldset.dataset.dependentChoices || "{}");
    for (const [child, rule] of Object.entries(rules)) {
        const childSelect = fieldset.querySelector(`select[data-prop-name="${child}"]`);
        const parentSelect = fieldset.querySelector(`select[data-prop-name="${rule.parent}"]`);
        if (!childSelect || !parentSelect) {
            continue;
        }
        const allowed = rule.choices[parentSelect.value];
        for (const option of childSelect.options) {
            const shown = !option.value || !allowed || allowed.includes(option.value);
            option.hidden = !shown;
            option.disabled = !shown;
        }
        if (childSelect.selectedOptions[0] && childSelect.selectedOptions[0].disabled) {
            childSelect.value = "";
        }
    }
}

document.addEventListener("change", (ev) => {
    if (ev.target && ev.target.id === "spid_type") {
        showTypeFields();
    }
    const fieldset = ev.target && ev.target.closest && ev.target.closest(".spid_type_fields");
    if (fieldset) {
        filterDependentChoices(fieldset);
    }
});
if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showTypeFields);
} else {
    showTypeFields();
}
