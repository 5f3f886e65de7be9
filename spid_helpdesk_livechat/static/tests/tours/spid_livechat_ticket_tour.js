import { registry } from "@web/core/registry";

// The operator opens the conversation in Discuss and clicks the chat's
// "Create a Ticket" button: the new ticket's form opens, with its link back
// to the conversation.
registry.category("web_tour.tours").add("spid_livechat_ticket_tour", {
    steps: () => [
        {
            // Discuss may open on #general before the conversation reaches
            // its store (on a loaded machine): open it from the sidebar
            trigger: ".o-mail-DiscussSidebarChannel:contains(Visitor)",
            run: "click",
        },
        {
            trigger: ".o-mail-DiscussSidebarChannel.o-active:contains(Visitor)",
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
