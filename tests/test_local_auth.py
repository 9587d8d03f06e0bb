"""Who is calling: the local workspace reads the bearer token, its user, OAuth client and scopes, as Google does."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

FORM_MIME = "application/vnd.google-apps.form"
OTHER_APP = "another-oauth-client"


def error_of(call) -> dict:
    with pytest.raises(HttpError) as raised:
        call.execute()
    return json.loads(raised.value.content)["error"]


def service(local, api, **token):
    endpoint = local.url + ("/drive/v3/" if api == "drive" else "")
    version = {"drive": "v3", "forms": "v1", "sheets": "v4"}[api]
    return build(
        api,
        version,
        credentials=local.credentials(**token),
        static_discovery=True,
        client_options={"api_endpoint": endpoint},
    )


def test_a_call_without_a_token_it_issued_is_401(local):
    status, _ = local.request("GET", "/drive/v3/files")  # signed in with a token the workspace issued
    assert status == 200
    for header in ({}, {"Authorization": "Bearer ya29.never-issued"}, {"Authorization": "Basic abc"}):
        request = urllib.request.Request(local.url + "/drive/v3/files", headers=header)
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request)
        error = json.loads(raised.value.read())["error"]
        assert (raised.value.code, error["status"]) == (401, "UNAUTHENTICATED")
        assert "never-issued" not in json.dumps(error)


def test_a_token_with_only_gmail_send_cannot_read_a_spreadsheet(local):
    sheets = service(local, "sheets")
    created = sheets.spreadsheets().create(body={"properties": {"title": "Leads"}}).execute()
    mail_only = service(local, "sheets", scopes=["gmail.send"])
    error = error_of(mail_only.spreadsheets().values().batchGet(spreadsheetId=created["spreadsheetId"], ranges=["A1"]))
    assert (error["code"], error["status"]) == (403, "PERMISSION_DENIED")
    assert error["message"] == "Request had insufficient authentication scopes."
    assert error["errors"][0]["reason"] == "insufficientPermissions"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert error["details"][0]["metadata"]["method"] == "sheets.spreadsheets.values.batchGet"


def test_with_drive_file_an_app_sees_and_changes_only_the_files_it_created(local):
    forms = service(local, "forms")
    form_id = forms.forms().create(body={"info": {"title": "EOI"}}).execute()["formId"]
    service(local, "drive").files().update(fileId=form_id, body={"appProperties": {"ppp_gsuite": "form"}}).execute()

    other_drive, other_forms = (
        service(local, "drive", client_id=OTHER_APP),
        service(local, "forms", client_id=OTHER_APP),
    )
    assert other_drive.files().list(q="trashed = false").execute()["files"] == []
    assert error_of(other_drive.files().get(fileId=form_id))["code"] == 404
    assert error_of(other_drive.files().update(fileId=form_id, body={"name": "Mine now"}))["code"] == 404
    assert error_of(other_forms.forms().get(formId=form_id))["code"] == 403
    assert (
        error_of(
            other_drive.permissions().create(
                fileId=form_id, body={"type": "anyone", "role": "reader", "view": "published"}
            )
        )["code"]
        == 404
    )

    assert [f["id"] for f in service(local, "drive").files().list(q="trashed = false").execute()["files"]] == [form_id]


def test_app_properties_are_private_to_the_app_that_set_them(local):
    form_id = service(local, "forms").forms().create(body={"info": {"title": "EOI"}}).execute()["formId"]
    mine = service(local, "drive")
    mine.files().update(fileId=form_id, body={"appProperties": {"ppp_gsuite": "form"}}).execute()
    query = "appProperties has { key='ppp_gsuite' and value='form' }"

    wide = service(local, "drive", client_id=OTHER_APP, scopes=["drive"])  # every file of the user, not theirs
    assert "appProperties" not in wide.files().get(fileId=form_id, fields="id,appProperties").execute()
    assert wide.files().list(q=query).execute()["files"] == []
    wide.files().update(fileId=form_id, body={"appProperties": {"ppp_gsuite": "theirs"}}).execute()
    assert mine.files().get(fileId=form_id, fields="appProperties").execute() == {
        "appProperties": {"ppp_gsuite": "form"}
    }
    assert [f["id"] for f in mine.files().list(q=query).execute()["files"]] == [form_id]


def test_another_user_sees_only_what_is_shared_with_them(local):
    form_id = service(local, "forms").forms().create(body={"info": {"title": "EOI"}}).execute()["formId"]
    stranger = service(local, "drive", user="someone@example.net", scopes=["drive"])
    assert error_of(stranger.files().get(fileId=form_id))["code"] == 404
    service(local, "drive").permissions().create(
        fileId=form_id, body={"type": "user", "role": "reader", "emailAddress": "someone@example.net"}
    ).execute()
    assert stranger.files().get(fileId=form_id).execute()["id"] == form_id
