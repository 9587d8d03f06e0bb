from ..routing import Route
from . import handlers, outbox

SEND = "/gmail/v1/users/<id:user_id>/messages/send"

ROUTES = [
    Route("POST", SEND, handlers.users_messages_send, "gmail.users.messages.send"),
    Route("POST", "/upload" + SEND, handlers.users_messages_send_upload),
    Route("POST", "/resumable/upload" + SEND, handlers.users_messages_send_upload),
    Route(
        "GET",
        "/gmail/v1/users/<id:user_id>/settings/sendAs",
        handlers.users_settings_send_as_list,
        "gmail.users.settings.sendAs.list",
    ),
    Route("GET", "/gmail/outbox", outbox.show),
]
