//! Deliveries per channel: each channel claims a change on its own and retries on its own;
//! health alerts are queued by the crawl that raises them.

use store::{Channel, DeliveryContent, HealthCheck};

use crate::{price_change, product, Backend, Crawled};

on_both_backends!(
    each_channel_claims_a_change_once_and_on_its_own,
    a_failed_delivery_waits_for_its_next_attempt_without_holding_up_another_channel,
    a_health_alert_is_queued_once_per_incident_and_its_recovery_once,
    a_run_that_shows_the_site_failing_alerts_at_once_and_once,
);

async fn each_channel_claims_a_change_once_and_on_its_own(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    c.record(&product(1200), "h1", &[price_change("12.00")])
        .await;
    let email = store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim");
    let webhook = store
        .claim_undelivered(Channel::Webhook)
        .await
        .expect("claim");
    let (Some(email), Some(webhook)) = (email, webhook) else {
        panic!("both channels claim the change")
    };
    assert_ne!(email.id, webhook.id);
    assert_eq!(email.changes()[0].id, webhook.changes()[0].id);
    assert_ne!(email.idempotency_key, webhook.idempotency_key);
    for channel in [Channel::Email, Channel::Webhook] {
        assert!(store
            .claim_undelivered(channel)
            .await
            .expect("again")
            .is_none());
    }
    let listed = store.changes(&Default::default()).await.expect("changes");
    assert_eq!(
        listed[0].deliveries.keys().copied().collect::<Vec<_>>(),
        [Channel::Email, Channel::Webhook]
    );
    c.remove().await;
}

async fn a_failed_delivery_waits_for_its_next_attempt_without_holding_up_another_channel(
    backend: Backend,
) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    c.record(&product(1200), "h1", &[price_change("12.00")])
        .await;
    let email = store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .expect("email");
    let webhook = store
        .claim_undelivered(Channel::Webhook)
        .await
        .expect("claim")
        .expect("webhook");
    store
        .mark_delivery_failed(webhook.id, "connection refused", 5_000)
        .await
        .expect("failed");
    store.mark_delivered(email.id).await.expect("delivered");
    assert!(store
        .pending_deliveries(Channel::Webhook, 4_999)
        .await
        .expect("pending")
        .is_empty());
    let due = store
        .pending_deliveries(Channel::Webhook, 5_000)
        .await
        .expect("pending");
    assert_eq!((due.len(), due[0].attempts), (1, 1));
    let listed = store.changes(&Default::default()).await.expect("changes");
    let on_webhook = &listed[0].deliveries[&Channel::Webhook];
    assert_eq!(on_webhook.last_error.as_deref(), Some("connection refused"));
    assert_eq!(on_webhook.next_attempt_at, 5_000);
    assert_eq!(
        listed[0].deliveries[&Channel::Email].status,
        store::DeliveryStatus::Delivered
    );
    c.remove().await;
}

async fn a_health_alert_is_queued_once_per_incident_and_its_recovery_once(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let check = HealthCheck {
        alert_after: 2,
        last_error: "connection refused",
        urgent: false,
    };
    let mut run = c.run;
    for _ in 0..4 {
        store
            .finish_run(c.source_id, run, "{}", false, &check)
            .await
            .expect("finish");
        run = store.start_run(c.source_id).await.expect("run");
    }
    let due = store
        .pending_deliveries(Channel::Email, i64::MAX)
        .await
        .expect("pending");
    assert_eq!(due.len(), 1, "once per incident: {due:?}");
    let DeliveryContent::Health(alert) = &due[0].content else {
        panic!("a health alert: {:?}", due[0].content)
    };
    assert_eq!(
        (alert.failures, alert.last_error.as_str()),
        (2, "connection refused")
    );
    assert!(due[0].idempotency_key.starts_with("health-"));
    // A crawl that reaches the supplier ends the incident, and says so once.
    store.mark_delivered(due[0].id).await.expect("delivered");
    store
        .finish_run(c.source_id, run, "{}", true, &check)
        .await
        .expect("ok");
    let due = store
        .pending_deliveries(Channel::Email, i64::MAX)
        .await
        .expect("pending");
    let [recovery] = due.as_slice() else {
        panic!("one recovery: {due:?}")
    };
    let DeliveryContent::Health(alert) = &recovery.content else {
        panic!("a health delivery: {recovery:?}")
    };
    assert!(alert.recovered && alert.failures == 4, "{alert:?}");
    store.mark_delivered(recovery.id).await.expect("delivered");
    run = store.start_run(c.source_id).await.expect("run");
    store
        .finish_run(c.source_id, run, "{}", true, &check)
        .await
        .expect("ok");
    assert!(
        store
            .pending_deliveries(Channel::Email, i64::MAX)
            .await
            .expect("pending")
            .is_empty(),
        "a crawl that was fine before says nothing"
    );
    // The next incident alerts again.
    for _ in 0..2 {
        run = store.start_run(c.source_id).await.expect("run");
        store
            .finish_run(c.source_id, run, "{}", false, &check)
            .await
            .expect("finish");
    }
    assert_eq!(
        store
            .pending_deliveries(Channel::Email, i64::MAX)
            .await
            .expect("pending")
            .len(),
        1
    );
    c.remove().await;
}

async fn a_run_that_shows_the_site_failing_alerts_at_once_and_once(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let check = HealthCheck {
        alert_after: 3,
        last_error: "20 of the 20 known pages answered 404/410 at once",
        urgent: true,
    };
    let mut run = c.run;
    let mut alerted = Vec::new();
    for _ in 0..3 {
        alerted.push(
            store
                .finish_run(c.source_id, run, "{}", false, &check)
                .await
                .expect("finish"),
        );
        run = store.start_run(c.source_id).await.expect("run");
    }
    assert_eq!(
        alerted,
        [true, false, false],
        "at the first run, then not again"
    );
    let due = store
        .pending_deliveries(Channel::Email, i64::MAX)
        .await
        .expect("pending");
    let [alert] = due.as_slice() else {
        panic!("one health alert: {due:?}")
    };
    let DeliveryContent::Health(alert) = &alert.content else {
        panic!("a health alert: {alert:?}")
    };
    assert_eq!(alert.last_error, check.last_error);
    c.remove().await;
}
