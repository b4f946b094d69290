use super::*;
use crate::check::{
    BulkFacts, Chosen, Difference, LoginFacts, RefusedTokenFacts, RowFields, SessionFacts,
};

fn ok(request: &str) -> EndpointAnswer {
    EndpointAnswer {
        request: request.into(),
        status: Some(200),
        outcome: Outcome::Answered,
        summary: "fine".into(),
    }
}

fn failed(request: &str, status: u16) -> EndpointAnswer {
    EndpointAnswer {
        status: Some(status),
        outcome: Outcome::Failed,
        ..ok(request)
    }
}

fn listing(held: &[&str], lacked: &[&str]) -> ListingFacts {
    ListingFacts {
        answer: ok("GET /users?serviceProviderId=&groupId="),
        rows: Some(5),
        fields: Some(RowFields {
            held: held.iter().map(|s| s.to_string()).collect(),
            differs: vec![Difference {
                field: "department".into(),
                row: "text",
                record: "object",
            }],
            lacked: lacked.iter().map(|s| s.to_string()).collect(),
            extra: vec![],
            read_from_row: held.iter().map(|s| s.to_string()).collect(),
        }),
        not_compared: None,
    }
}

fn bulk(status: u16) -> Vec<BulkFacts> {
    ["Always", "Busy", "No Answer", "Not Reachable"]
        .into_iter()
        .map(|s| BulkFacts {
            service: format!("Call Forwarding {s}"),
            answer: EndpointAnswer {
                outcome: match status {
                    200 => Outcome::Answered,
                    404 => Outcome::NotServed,
                    _ => Outcome::Failed,
                },
                ..failed("GET /users/call-forwarding-x/bulk", status)
            },
        })
        .collect()
}

fn facts() -> Facts {
    Facts {
        target: "https://odin.example.net/api/v2".into(),
        login: LoginFacts {
            status: 200,
            answer_keys: Some(vec!["token".into(), "userId".into()]),
            token_lifetime_seconds: Some(43_200),
        },
        session: SessionFacts {
            answer: ok("GET /auth/session"),
            software_version: Some("2024.1".into()),
            login_type: Some("System".into()),
            read_only: Some(false),
        },
        refused_token: RefusedTokenFacts {
            status: Some(403),
            message_key: Some("error".into()),
            body_keys: vec!["error".into(), "status".into()],
            error: None,
        },
        user: Some(UserFacts {
            user_id: "u1".into(),
            chosen: Chosen::Given,
            record: ok("GET /users?userId="),
            services: ok("GET /users/services?userId="),
            settings: ok("GET /users/services/settings?userId="),
            policy: ok("GET /users/call-processing-policy?userId="),
            imp_spelling: Some("Integrated IMP".into()),
        }),
        group: Some(GroupFacts {
            service_provider_id: "sp".into(),
            group_id: "g".into(),
            chosen: Chosen::Derived,
            listing: listing(&["userId", "extension"], &["address", "timeZone"]),
            extended: listing(&["userId", "extension", "timeZone"], &["address"]),
            bulk: bulk(200),
        }),
        not_checked: vec![],
        requests: 14,
        throttled: 0,
    }
}

fn text(report: &Report, topic: &str) -> String {
    report
        .conclusions
        .iter()
        .find(|c| c.topic == topic)
        .map(|c| c.text.clone())
        .unwrap_or_else(|| panic!("no conclusion on {topic}: {:?}", report.conclusions))
}

#[test]
fn a_server_that_answers_everything_exits_0() {
    let report = Report::new(facts());
    assert_eq!(report.exit_code(), 0);
    assert!(report.warnings.is_empty());
    assert!(report.cannot_change.is_empty());
    assert_eq!(
        text(&report, "group reads"),
        "user-record columns the extended listing holds (extension, timeZone) are read per group; others (address, department) are read per user"
    );
    assert_eq!(
        text(&report, "call forwarding"),
        "Call Forwarding settings: one /bulk read per group and service"
    );
    assert!(text(&report, "refused token").contains("403"));
    assert!(text(&report, "error text").contains("`error`"));
    assert!(text(&report, "licence name").contains("`Integrated IMP`"));
    assert!(text(&report, "cannot change").starts_with("nothing"));
}

#[test]
fn bulk_reads_answering_404_are_not_served_and_still_exit_0() {
    let mut facts = facts();
    facts.group.as_mut().unwrap().bulk = bulk(404);
    let report = Report::new(facts);
    assert_eq!(report.exit_code(), 0);
    assert_eq!(
        text(&report, "call forwarding"),
        "Call Forwarding settings: per user (the /bulk reads answered 404)"
    );
}

#[test]
fn a_bulk_read_failing_otherwise_exits_1_and_is_named() {
    let mut facts = facts();
    let group = facts.group.as_mut().unwrap();
    group.bulk[1].answer.outcome = Outcome::Failed;
    group.bulk[1].answer.status = Some(500);
    let report = Report::new(facts);
    assert_eq!(report.exit_code(), 1);
    let text = text(&report, "call forwarding");
    assert!(
        text.contains("Always, No Answer, Not Reachable: one /bulk read per group"),
        "{text}"
    );
    assert!(text.contains("Busy: the /bulk read failed"), "{text}");
}

#[test]
fn a_failed_policy_read_means_policy_columns_cannot_change() {
    let mut facts = facts();
    facts.user.as_mut().unwrap().policy = failed("GET /users/call-processing-policy?userId=", 404);
    let report = Report::new(facts);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.cannot_change, ["policy.*"]);
    assert!(
        text(&report, "cannot change")
            .starts_with("policy.* (GET /users/call-processing-policy?userId= answered 404)")
    );
}

#[test]
fn a_read_only_admin_is_a_warning() {
    let mut facts = facts();
    facts.session.read_only = Some(true);
    let report = Report::new(facts);
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].contains("read-only"));
}

#[test]
fn a_refused_token_answered_otherwise_exits_1() {
    for (status, exit) in [(Some(401), 0), (Some(403), 0), (Some(200), 1), (None, 1)] {
        let mut facts = facts();
        facts.refused_token.status = status;
        let report = Report::new(facts);
        assert_eq!(report.exit_code(), exit, "{status:?}");
        if status == Some(200) {
            assert_eq!(report.warnings.len(), 1);
        }
    }
}

#[test]
fn without_an_extended_listing_the_summary_listing_decides() {
    let mut facts = facts();
    let group = facts.group.as_mut().unwrap();
    group.extended.answer = failed("GET /users?…&extended=true", 400);
    let report = Report::new(facts);
    assert!(text(&report, "group reads").contains("the summary listing holds (extension)"));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn without_user_and_group_only_the_server_is_concluded() {
    let mut facts = facts();
    facts.user = None;
    facts.group = None;
    let report = Report::new(facts);
    assert_eq!(report.exit_code(), 0);
    let topics: Vec<&str> = report.conclusions.iter().map(|c| c.topic).collect();
    assert_eq!(
        topics,
        [
            "user and group",
            "refused token",
            "error text",
            "nested objects"
        ]
    );
}
