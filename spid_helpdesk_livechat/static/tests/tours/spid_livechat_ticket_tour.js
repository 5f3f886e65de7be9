import { registry } from "@web/core/registry";

// The operator opens the conversation in Discuss and clicks the chat's
// "Create a Ticket" button: the new ticket's form opens, with its link back
// to the conversation.
//
// Discuss may show #general first, or come back to it once, while the
// conversation reaches its store (seen in the full suite on a loaded
// machine): the conversation is opened from the sidebar until its button is
// there, then the button is clicked.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

registry.category("web_tour.tours").add("spid_livechat_ticket_tour", {
    steps: () => [
        {
            trigger: ".o-mail-DiscussSidebarChannel:contains(Visitor)",
            async run() {
                const selector = ".o-mail-Discuss-header button[name='spid-create-ticket']";
                for (let attempt = 0; attempt < 50 && !document.querySelector(selector); attempt++) {
                    const channel = [...document.querySelectorAll(".o-mail-DiscussSidebarChannel")].find(
                        (el) => el.textContent.includes("Visitor")
                    );
                    if (channel && !channel.classList.contains("o-active")) {
                        channel.click();
                    }
                    await sleep(200);
                }
            },
        },
        {
            trigger: ".o-mail-Discuss-content .o-mail-Message:contains(My screen stays black)",
        },
        {
            trigger: ".o-mail-Discuss-header button[name='spid-create-ticket']",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_spid_open_livechat']",
        },
    ],
});
