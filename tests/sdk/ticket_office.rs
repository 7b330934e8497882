//! Customer scenario: the ticket office backend (shared/seeds/000).

use sdk_tests::apps::ticket_office::{Sale, SaleRepository};

fn sale(id: &str, event: &str, quantity: u32) -> Sale {
    Sale {
        id: id.into(),
        event_id: event.into(),
        ticket_id: "vip".into(),
        quantity,
        price_cents: 4_999,
        buyer: Some("Ada".into()),
    }
}

#[tokio::test]
async fn sale_repository_saves_reads_and_overwrites() {
    let db = harness::start().await;
    let table = SaleRepository::create_table(&db.client(), "test-").await;
    assert_eq!(table, "test-ticketoffice-sales");
    let repo = SaleRepository::new(db.client(), table);

    let original = sale("s-1", "concert-42", 2);
    repo.save(&original).await.unwrap();
    assert_eq!(repo.get("s-1").await.unwrap(), Some(original.clone()));
    assert_eq!(repo.get("s-404").await.unwrap(), None);

    let updated = Sale { quantity: 3, buyer: None, ..original.clone() };
    repo.save(&updated).await.unwrap();
    assert_eq!(repo.get("s-1").await.unwrap(), Some(updated.clone()));

    assert_eq!(repo.delete("s-1").await.unwrap(), Some(updated));
    assert_eq!(repo.get("s-1").await.unwrap(), None);
}

#[tokio::test]
async fn sales_by_event_and_counts_by_ticket() {
    let db = harness::start().await;
    let table = SaleRepository::create_table(&db.client(), "test-").await;
    let repo = SaleRepository::new(db.client(), table);
    for i in 0..30 {
        let mut s = sale(&format!("s-{i}"), if i % 3 == 0 { "concert-1" } else { "concert-2" }, 1);
        s.ticket_id = if i % 2 == 0 { "vip".into() } else { "floor".into() };
        repo.save(&s).await.unwrap();
    }
    let mut sales = repo.find_by_event_id("concert-1").await.unwrap();
    sales.sort_by_key(|s| s.id.clone());
    let mut expected: Vec<String> = (0..30).filter(|i| i % 3 == 0).map(|i| format!("s-{i}")).collect();
    expected.sort();
    assert_eq!(sales.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), expected);
    assert!(sales.iter().all(|s| s.event_id == "concert-1" && s.buyer.as_deref() == Some("Ada")));
    assert!(repo.find_by_event_id("concert-404").await.unwrap().is_empty());

    // 0, 6, 12, 18, 24 are vip sales of concert-1.
    assert_eq!(repo.count_by_event_id_and_ticket_id("concert-1", "vip").await.unwrap(), 5);
    assert_eq!(repo.count_by_event_id_and_ticket_id("concert-1", "floor").await.unwrap(), 5);
    assert_eq!(repo.count_by_event_id_and_ticket_id("concert-2", "vip").await.unwrap(), 10);

    // Moving a sale to another event moves it in the index; deleting removes it.
    let moved = Sale { event_id: "concert-2".into(), ..sales[0].clone() };
    repo.save(&moved).await.unwrap();
    assert_eq!(repo.find_by_event_id("concert-1").await.unwrap().len(), 9);
    repo.delete(&moved.id).await.unwrap();
    assert_eq!(repo.find_by_event_id("concert-2").await.unwrap().len(), 20);
}
