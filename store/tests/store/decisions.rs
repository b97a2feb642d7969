//! The merchant's answers: approve held changes, reject changes; one bad id answers none.

use diff::Action;
use store::{ChangeFilter, ChangeStatus, Decided, Decision, StoreError};

use crate::{price_change, product, Backend, Crawled};

on_both_backends!(held_changes_are_approved_and_any_open_change_rejected_once_and_not_asked_again);

async fn held_changes_are_approved_and_any_open_change_rejected_once_and_not_asked_again(
    backend: Backend,
) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let held = |after: &str| {
        let mut p = price_change(after);
        p.action = Action::Hold;
        p
    };
    let proposals = [held("12.00"), price_change("13.00"), held("14.00")];
    c.record(&product(1200), "h1", &proposals).await;
    let ids: Vec<i64> = store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes")
        .iter()
        .map(|c| c.id)
        .collect();
    let (held_id, alert_id, other_held) = (ids[0], ids[1], ids[2]);

    let err = store
        .decide(&Decided::Ids(vec![held_id, alert_id]), &Decision::Approve)
        .await
        .expect_err("an alert is not approved");
    assert!(
        matches!(err, StoreError::NotAnswerable { id, .. } if id == alert_id),
        "{err}"
    );
    let err = store
        .decide(&Decided::Ids(vec![999]), &Decision::Approve)
        .await
        .expect_err("no such change");
    assert!(matches!(err, StoreError::NoChange(999)), "{err}");
    let status = |id: i64| async move {
        store
            .changes(&ChangeFilter::default())
            .await
            .expect("changes")
            .into_iter()
            .find(|c| c.id == id)
            .expect("change")
    };
    assert_eq!(
        status(held_id).await.status,
        ChangeStatus::Open,
        "nothing was answered"
    );

    store
        .decide(&Decided::Ids(vec![held_id]), &Decision::Approve)
        .await
        .expect("approve");
    assert_eq!(status(held_id).await.status, ChangeStatus::Approved);
    let err = store
        .decide(&Decided::Ids(vec![held_id]), &Decision::Approve)
        .await
        .expect_err("answered already");
    assert!(err.to_string().contains("approved, not open"), "{err}");

    let reason = Decision::Reject {
        reason: Some("I set this price by hand".into()),
    };
    store
        .decide(&Decided::Ids(vec![alert_id]), &reason)
        .await
        .expect("reject");
    let rejected = status(alert_id).await;
    assert_eq!(rejected.status, ChangeStatus::Rejected);
    assert_eq!(
        rejected.decision_note.as_deref(),
        Some("I set this price by hand")
    );
    assert!(rejected.decided_at.is_some());

    // The same differences found again: not asked about again.
    c.record(&product(1200), "h2", &proposals).await;
    assert_eq!(
        store
            .changes(&ChangeFilter::default())
            .await
            .expect("changes")
            .len(),
        3
    );

    let all = store
        .decide(&Decided::AllHeld { listing: None }, &Decision::Approve)
        .await
        .expect("all held");
    assert_eq!(all, [other_held]);
    c.remove().await;
}
