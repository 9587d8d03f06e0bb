"""The local Drive v3 API through google-api-python-client."""

from __future__ import annotations

import json

import pytest
from googleapiclient.errors import HttpError

FORM_MIME = "application/vnd.google-apps.form"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"


def error_of(call) -> dict:
    with pytest.raises(HttpError) as raised:
        call.execute()
    return json.loads(raised.value.content)["error"]


def new_form(forms_api, title="Expression of interest"):
    return forms_api.forms().create(body={"info": {"title": title}}, unpublished=True).execute()["formId"]


def test_a_form_is_a_drive_file(forms_api, drive_api):
    form_id = new_form(forms_api)
    assert drive_api.files().get(fileId=form_id).execute() == {
        "kind": "drive#file",
        "id": form_id,
        "name": "Expression of interest",
        "mimeType": FORM_MIME,
    }


def test_app_properties_query_finds_the_form(forms_api, drive_api):
    eoi, needs = new_form(forms_api, "EOI"), new_form(forms_api, "Needs")
    drive_api.files().update(fileId=eoi, body={"appProperties": {"pppGsuite": "form", "pppKey": "eoi"}}).execute()
    drive_api.files().update(fileId=needs, body={"appProperties": {"pppGsuite": "form", "pppKey": "needs"}}).execute()
    updated = (
        drive_api.files()
        .update(
            fileId=eoi,
            body={"appProperties": {"pppKey": "eoi-urgent-care", "pppGsuite": None}, "name": "EOI: urgent care"},
            fields="id,name,appProperties",
        )
        .execute()
    )
    assert updated == {"id": eoi, "name": "EOI: urgent care", "appProperties": {"pppKey": "eoi-urgent-care"}}

    q = (
        "appProperties has { key='pppKey' and value='eoi-urgent-care' } and trashed = false "
        f"and mimeType = '{FORM_MIME}'"
    )
    found = drive_api.files().list(q=q, fields="files(id,name,appProperties),nextPageToken").execute()
    assert found == {"files": [{"id": eoi, "name": "EOI: urgent care", "appProperties": {"pppKey": "eoi-urgent-care"}}]}

    default = drive_api.files().list(q="appProperties has { key='pppGsuite' and value='form' }").execute()
    assert default["files"] == [{"kind": "drive#file", "id": needs, "name": "Needs", "mimeType": FORM_MIME}]

    drive_api.files().update(fileId=needs, body={"trashed": True}).execute()
    assert drive_api.files().list(q="trashed = false").execute()["files"][0]["id"] == eoi
    assert len(drive_api.files().list(q="trashed = false").execute()["files"]) == 1


def test_files_list_pages(drive_api):
    for n in range(3):
        drive_api.files().create(body={"name": f"Sheet {n}", "mimeType": SHEET_MIME}).execute()
    first = drive_api.files().list(q=f"mimeType = '{SHEET_MIME}'", pageSize=2).execute()
    second = (
        drive_api.files().list(q=f"mimeType = '{SHEET_MIME}'", pageSize=2, pageToken=first["nextPageToken"]).execute()
    )
    assert [f["name"] for f in first["files"] + second["files"]] == ["Sheet 0", "Sheet 1", "Sheet 2"]
    assert "nextPageToken" not in second


def test_update_refuses_unwritable_and_unknown_fields(forms_api, drive_api):
    form_id = new_form(forms_api)
    error = error_of(drive_api.files().update(fileId=form_id, body={"id": "other"}))
    assert error["code"] == 403 and "not directly writable" in error["message"]
    error = error_of(drive_api.files().update(fileId=form_id, body={"appProperty": {"a": "b"}}))
    assert error["code"] == 400 and "appProperty: unknown field" in error["message"]
    error = error_of(drive_api.files().update(fileId=form_id, body={"appProperties": {"k": "v" * 124}}))
    assert error["code"] == 400


def test_unsupported_query_is_400(drive_api):
    error = error_of(drive_api.files().list(q="name = 'a' or name = 'b'"))
    assert error["code"] == 400 and "Invalid Value" in error["message"]


def test_missing_file_is_404(drive_api):
    error = error_of(drive_api.files().get(fileId="missing"))
    assert (error["code"], error["message"]) == (404, "File not found: missing.")


def test_permissions(forms_api, drive_api):
    form_id = new_form(forms_api)
    published = (
        drive_api.permissions()
        .create(fileId=form_id, body={"type": "anyone", "role": "reader", "view": "published"})
        .execute()
    )
    assert published["type"] == "anyone" and published["role"] == "reader"
    lead = (
        drive_api.permissions()
        .create(
            fileId=form_id,
            body={"type": "user", "role": "writer", "emailAddress": "lead@example.org"},
            sendNotificationEmail=False,
            fields="id,emailAddress,role",
        )
        .execute()
    )
    assert lead["emailAddress"] == "lead@example.org"

    listed = (
        drive_api.permissions()
        .list(
            fileId=form_id, fields="permissions(id,type,role,emailAddress,view)", includePermissionsForView="published"
        )
        .execute()
    )
    assert [(p["type"], p["role"], p.get("emailAddress"), p.get("view")) for p in listed["permissions"]] == [
        ("user", "owner", "staff@example.org", None),
        ("anyone", "reader", None, "published"),
        ("user", "writer", "lead@example.org", None),
    ]

    drive_api.permissions().delete(fileId=form_id, permissionId=lead["id"]).execute()
    listed = (
        drive_api.permissions().list(fileId=form_id, includePermissionsForView="published").execute()["permissions"]
    )
    assert [p["type"] for p in listed] == ["user", "anyone"]
    assert set(listed[0]) == {"kind", "id", "type", "role"}

    owner = listed[0]["id"]
    assert error_of(drive_api.permissions().delete(fileId=form_id, permissionId=owner))["code"] == 403
    error = error_of(drive_api.permissions().create(fileId=form_id, body={"type": "user", "role": "reader"}))
    assert error["code"] == 400
    error = error_of(drive_api.permissions().create(fileId=form_id, body={"type": "anyone", "role": "readers"}))
    assert error["code"] == 400


def test_organisation_that_forbids_anyone_sharing(forms_api, drive_api, local):
    form_id = new_form(forms_api)
    local.forbid_anyone(True)
    error = error_of(
        drive_api.permissions().create(fileId=form_id, body={"type": "anyone", "role": "reader", "view": "published"})
    )
    assert (error["code"], error["status"]) == (403, "PERMISSION_DENIED")
    drive_api.permissions().create(
        fileId=form_id, body={"type": "domain", "role": "reader", "domain": "example.org"}
    ).execute()
    local.forbid_anyone(False)
    form_id = new_form(forms_api)
    drive_api.permissions().create(fileId=form_id, body={"type": "anyone", "role": "reader"}).execute()


def test_create_file_metadata(drive_api):
    created = (
        drive_api.files()
        .create(
            body={
                "name": "EOI responses",
                "mimeType": SHEET_MIME,
                "appProperties": {"pppKey": "eoi"},
                "writersCanShare": False,
            },
            fields="id,name,mimeType,appProperties,writersCanShare",
        )
        .execute()
    )
    assert created["writersCanShare"] is False and created["appProperties"] == {"pppKey": "eoi"}
    assert drive_api.files().get(fileId=created["id"], fields="*").execute()["name"] == "EOI responses"


@pytest.mark.parametrize("value", [False, True])
@pytest.mark.parametrize(
    "grant",
    [
        {"type": "anyone", "role": "reader", "view": "published"},
        {"type": "anyone", "role": "reader"},
        {"type": "domain", "role": "reader", "domain": "example.org"},
    ],
)
def test_send_notification_email_is_refused_on_anyone_and_domain_grants(forms_api, drive_api, grant, value):
    """Drive documents sendNotificationEmail as 'not allowed for other requests' than user and group grants."""
    form_id = new_form(forms_api)
    error = error_of(drive_api.permissions().create(fileId=form_id, body=grant, sendNotificationEmail=value))
    assert (error["code"], error["status"], error["errors"][0]["reason"]) == (403, "PERMISSION_DENIED", "forbidden")
    assert error["message"].startswith(
        "The sendNotificationEmail parameter is only applicable for permissions of type 'user' or 'group'"
    )
    listed = drive_api.permissions().list(fileId=form_id, includePermissionsForView="published").execute()
    assert [p["type"] for p in listed["permissions"]] == ["user"]  # nothing was granted


def test_published_view_grants_are_listed_only_when_asked_for(forms_api, drive_api):
    form_id = new_form(forms_api)
    drive_api.permissions().create(
        fileId=form_id, body={"type": "anyone", "role": "reader", "view": "published"}
    ).execute()
    plain = drive_api.permissions().list(fileId=form_id, fields="permissions(type,role,view)").execute()
    assert plain["permissions"] == [{"type": "user", "role": "owner"}]
    asked = (
        drive_api.permissions()
        .list(fileId=form_id, fields="permissions(type,role,view)", includePermissionsForView="published")
        .execute()
    )
    assert asked["permissions"] == [
        {"type": "user", "role": "owner"},
        {"type": "anyone", "role": "reader", "view": "published"},
    ]


def test_default_visibility_applies_to_new_files_unless_ignored(forms_api, drive_api, local):
    local.organisation_policy(defaultVisibility="domainWithLink")

    def grants(file_id):
        return [
            (p["type"], p["role"], p.get("domain"))
            for p in drive_api.permissions()
            .list(fileId=file_id, fields="permissions(type,role,domain)")
            .execute()["permissions"]
        ]

    body = {"name": "Leads", "mimeType": SHEET_MIME}
    plain = drive_api.files().create(body=body).execute()["id"]
    assert grants(plain) == [("user", "owner", None), ("domain", "reader", "example.org")]
    private = drive_api.files().create(body=body, ignoreDefaultVisibility=True).execute()["id"]
    assert grants(private) == [("user", "owner", None)]
    assert grants(new_form(forms_api)) == [("user", "owner", None), ("domain", "reader", "example.org")]

    local.organisation_policy(defaultVisibility="none")
    assert grants(drive_api.files().create(body=body).execute()["id"]) == [("user", "owner", None)]


def test_organisation_policy_control_forbids_link_sharing(forms_api, drive_api, local):
    assert local.organisation_policy(linkSharing="forbidden") == {
        "defaultVisibility": "none",
        "linkSharing": "forbidden",
        "allowedSharingDomains": None,
        "addressesWithoutGoogleAccount": [],
    }
    error = error_of(
        drive_api.permissions().create(
            fileId=new_form(forms_api), body={"type": "anyone", "role": "reader", "view": "published"}
        )
    )
    assert (error["code"], error["errors"][0]["reason"]) == (403, "publishOutNotPermitted")


def granted(drive_api, file_id) -> list[tuple[str, str]]:
    listed = drive_api.permissions().list(fileId=file_id, fields="permissions(type,emailAddress)").execute()
    return [(p["type"], p.get("emailAddress", "")) for p in listed["permissions"]]


def test_a_share_outside_the_domains_the_organisation_allows_is_refused(drive_api, local):
    assert local.organisation_policy(allowedSharingDomains=["partner.example"])["allowedSharingDomains"] == [
        "partner.example"
    ]
    sheet = drive_api.files().create(body={"name": "Leads", "mimeType": SHEET_MIME}).execute()["id"]
    for email in ("lead@elsewhere.example", "Lead@ELSEWHERE.example"):
        error = error_of(
            drive_api.permissions().create(fileId=sheet, body={"type": "user", "role": "writer", "emailAddress": email})
        )
        # Google's answer as observed: a 400 whose reason names the policy; the top-level message says no more.
        assert (error["code"], error["message"], error["errors"][0]["reason"]) == (
            400,
            "Bad Request",
            "shareOutNotPermitted",
        )
    assert granted(drive_api, sheet) == [("user", "staff@example.org")]  # nothing was granted
    for email in ("colleague@example.org", "lead@partner.example"):  # the organisation's own domain, and an allowed one
        drive_api.permissions().create(
            fileId=sheet, body={"type": "user", "role": "writer", "emailAddress": email}
        ).execute()
    assert [email for _, email in granted(drive_api, sheet)][1:] == ["colleague@example.org", "lead@partner.example"]

    local.organisation_policy(allowedSharingDomains=None)  # sharing outside the organisation: on (Google's default)
    drive_api.permissions().create(
        fileId=sheet, body={"type": "user", "role": "reader", "emailAddress": "lead@elsewhere.example"}
    ).execute()


def test_a_share_with_an_address_that_has_no_google_account_is_refused(drive_api, local):
    policy = local.organisation_policy(addressesWithoutGoogleAccount=["nobody@example.org"])
    assert policy["addressesWithoutGoogleAccount"] == ["nobody@example.org"]
    sheet = drive_api.files().create(body={"name": "Leads", "mimeType": SHEET_MIME}).execute()["id"]
    body = {"type": "user", "role": "writer", "emailAddress": "Nobody@example.org"}
    quiet = error_of(drive_api.permissions().create(fileId=sheet, body=body, sendNotificationEmail=False))
    assert (quiet["code"], quiet["message"], quiet["errors"][0]["reason"]) == (
        400,
        "Bad Request",
        "invalidSharingRequest",
    )
    assert (
        "Since there is no Google account associated with this email address, you must check the "
        "'Notify people' box to invite this recipient." in quiet["errors"][0]["message"]
    )
    # With the notification (the default for users): the strict reading, refused as well (no visitor sharing).
    notified = error_of(drive_api.permissions().create(fileId=sheet, body=body))
    assert (notified["code"], notified["message"], notified["errors"][0]["reason"]) == (
        400,
        "Bad Request",
        "invalidSharingRequest",
    )
    assert granted(drive_api, sheet) == [("user", "staff@example.org")]

    local.organisation_policy(addressesWithoutGoogleAccount=[])  # the person made a Google account
    drive_api.permissions().create(fileId=sheet, body=body).execute()
    assert granted(drive_api, sheet)[1:] == [("user", "Nobody@example.org")]


def test_a_deleted_file_is_gone_for_drive_and_for_its_api(forms_api, drive_api):
    """files.delete (as gspread's del_spreadsheet calls it): the file answers 404 afterwards, in Drive
    and in the Forms API, and no longer turns up in a search."""
    form_id = new_form(forms_api, "To delete")
    assert drive_api.files().delete(fileId=form_id).execute() in ("", None, {})
    assert error_of(drive_api.files().get(fileId=form_id))["code"] == 404
    assert error_of(forms_api.forms().get(formId=form_id))["code"] == 404
    names = [f["name"] for f in drive_api.files().list(q="trashed = false").execute().get("files", [])]
    assert "To delete" not in names
