"""Email: render the templates in email_templates/ and build safe MIME messages (pure, no HTTP)."""
