"""Cloud Pub/Sub v1, the part a Forms API watch needs: topics, pull subscriptions, pull and acknowledge."""
