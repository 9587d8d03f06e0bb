from ..routing import Route
from . import handlers, pages, watch_handlers

WATCHES = "/v1/forms/<id:form_id>/watches"

ROUTES = [
    Route("POST", "/v1/forms", handlers.create, "forms.forms.create"),
    Route("GET", "/v1/forms/<id:form_id>", handlers.get, "forms.forms.get"),
    Route("POST", "/v1/forms/<id:form_id>:batchUpdate", handlers.batch_update, "forms.forms.batchUpdate"),
    Route(
        "POST",
        "/v1/forms/<id:form_id>:setPublishSettings",
        handlers.set_publish_settings,
        "forms.forms.setPublishSettings",
    ),
    Route("GET", "/v1/forms/<id:form_id>/responses", handlers.responses_list, "forms.forms.responses.list"),
    Route(
        "GET", "/v1/forms/<id:form_id>/responses/<id:response_id>", handlers.responses_get, "forms.forms.responses.get"
    ),
    Route("POST", WATCHES, watch_handlers.create, "forms.forms.watches.create"),
    Route("GET", WATCHES, watch_handlers.list_watches, "forms.forms.watches.list"),
    Route("POST", WATCHES + "/<id:watch_id>:renew", watch_handlers.renew, "forms.forms.watches.renew"),
    Route("DELETE", WATCHES + "/<id:watch_id>", watch_handlers.delete, "forms.forms.watches.delete"),
    Route("POST", "/_local/forms/<id:form_id>/watches/<id:watch_id>/age", watch_handlers.age_control),
    Route("GET", "/forms/d/e/<id:form_id>/viewform", pages.viewform),
    Route("POST", "/forms/d/e/<id:form_id>/formResponse", pages.form_response),
    Route("GET", "/forms/d/e/<id:form_id>/formResponse", pages.form_response_get),
]
