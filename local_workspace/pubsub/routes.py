from ..routing import Route
from . import handlers

SUBSCRIPTION = "/v1/projects/<id:project>/subscriptions/<id:subscription>"
ROUTES = [
    Route("PUT", "/v1/projects/<id:project>/topics/<id:topic>", handlers.create_topic, "pubsub.projects.topics.create"),
    Route("PUT", SUBSCRIPTION, handlers.create_subscription, "pubsub.projects.subscriptions.create"),
    Route("POST", SUBSCRIPTION + ":pull", handlers.pull, "pubsub.projects.subscriptions.pull"),
    Route("POST", "/_local/pubsub/ack-deadlines-pass", handlers.ack_deadlines_pass_control),
    Route("POST", SUBSCRIPTION + ":acknowledge", handlers.acknowledge, "pubsub.projects.subscriptions.acknowledge"),
    Route(
        "POST",
        SUBSCRIPTION + ":modifyAckDeadline",
        handlers.modify_ack_deadline,
        "pubsub.projects.subscriptions.modifyAckDeadline",
    ),
]
