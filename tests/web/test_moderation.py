"""Moderation: a message reported and hidden, a warning the member must read, and the reporter told."""
import pytest

from tests.conftest import login, text_of



@pytest.fixture
def cast(people):
    return people.coordinator("Sandrine Martin"), people.member("Amina Diallo"), people.member("Karim Benali")


def test_a_reported_message_is_hidden_and_the_reporter_told_only_that_it_was_handled(app, client, people, cast):
    sandrine, amina, karim = cast
    login(client, karim)
    client.post(f"/messages/{amina.id}", data={"body": "Réponds-moi tout de suite, sinon…"})
    page = client.get(f"/messages/{amina.id}").get_data(as_text=True)
    assert "Report this message" not in page  # nobody reports their own message
    login(client, amina)
    page = client.get(f"/messages/{karim.id}").get_data(as_text=True)
    message_id = int(page.split("/messages/report/")[1].split('"')[0])
    login(client, karim)
    assert client.post(f"/messages/report/{message_id}", data={"reason": "x"}).status_code == 404
    login(client, amina)
    assert client.post(f"/messages/report/{message_id}", data={"reason": ""}).status_code == 422
    login(client, sandrine)
    assert "Reports 0" in text_of(client.get("/coordination/"))  # neither refusal made a report
    login(client, amina)
    client.post(f"/messages/report/{message_id}", data={"reason": "Il me menace."})

    login(client, sandrine)
    queue = text_of(client.get("/coordination/"))
    assert "Message from Karim Benali" in queue and "Réponds-moi tout de suite" in queue and "Il me menace." in queue
    report_id = int(client.get("/coordination/").get_data(as_text=True).split("/coordination/reports/")[1]
                    .split("/")[0])
    client.post(f"/coordination/reports/{report_id}/decide", data={"hide": "y", "reason": "Pas de menaces ici."})
    assert "hid a message from Karim Benali" in text_of(client.get("/coordination/audit"))
    login(client, karim)
    assert "A coordinator hid a message you wrote: Pas de menaces ici." in text_of(client.get("/notifications"))

    for reader, other in ((amina, karim), (karim, amina)):
        login(client, reader)
        conversation = text_of(client.get(f"/messages/{other.id}"))
        assert "This message was hidden by a coordinator." in conversation
        assert "Réponds-moi tout de suite" not in conversation
        assert "Réponds-moi" not in text_of(client.get("/messages"))
    login(client, amina)
    notices = text_of(client.get("/notifications"))
    assert "a coordinator has looked at it and dealt with it" in notices and "hidden" not in notices


def test_a_warned_member_reads_the_warning_before_anything_else(app, client, people, cast):
    sandrine, amina, karim = cast
    login(client, sandrine)
    assert client.post(f"/coordination/members/{karim.id}/warn", data={"warn-body": ""}).status_code == 422
    client.post(f"/coordination/members/{karim.id}/warn",
                data={"warn-body": "Merci de rester courtois dans vos messages."})
    assert "sent a warning to Karim Benali" in text_of(client.get("/coordination/audit"))
    mail = [m for m in people.outbox(to=karim.email) if "coordinators" in m.subject][-1]
    assert "Merci de rester courtois" in mail.body

    login(client, karim)
    response = client.get("/listings")
    assert response.status_code == 303 and "/me/warnings/" in response.headers["Location"]
    warning = text_of(client.get(response.headers["Location"]))
    assert "Merci de rester courtois dans vos messages." in warning and "Sandrine Martin, coordinator" in warning
    login(client, amina)
    assert client.get(response.headers["Location"]).status_code == 404  # not hers
    assert client.get("/listings").status_code == 200

    login(client, karim)
    done = client.post(response.headers["Location"])
    assert done.status_code == 303
    assert client.get("/listings").status_code == 200
    login(client, sandrine)
    assert "read on" in text_of(client.get(f"/coordination/members/{karim.id}"))


def test_a_member_cannot_warn(app, client, people, cast):
    sandrine, amina, karim = cast
    login(client, amina)
    assert client.post(f"/coordination/members/{karim.id}/warn", data={"warn-body": "x"}).status_code == 403
    login(client, karim)
    assert client.get("/listings").status_code == 200


def test_the_queue_of_reports_pages_fifty_at_a_time_and_counts_them_all(app, client, people, cast):
    """A busy week: 51 profiles reported. The heading counts all of them; the page shows 50, the next one the last."""
    from timebank.extensions import db
    from timebank.listings.models import Report

    sandrine, amina, karim = cast
    with app.app_context():
        for number in range(51):
            db.session.add(Report(reporter_id=amina.id, member_id=karim.id, reason=f"Signalement numéro {number}"))
        db.session.commit()
    login(client, sandrine)
    first = text_of(client.get("/coordination/"))
    assert "Reports 51" in first and "Page 1 of 2" in first
    assert "Signalement numéro 0" in first and "Signalement numéro 50" not in first
    html = client.get("/coordination/").get_data(as_text=True)
    assert 'href="/coordination/?reports=2#reports-title"' in html
    second = text_of(client.get("/coordination/?reports=2"))
    assert "Signalement numéro 50" in second and "Signalement numéro 0 " not in second and "Page 2 of 2" in second
    assert "Reports 51" in text_of(client.get("/coordination/?reports=9"))  # past the end: the last page
