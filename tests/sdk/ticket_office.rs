//! Customer scenario: the ticket office backend (shared/seeds/000).

use sdk_tests::ticket_office::{Sale, SaleRepository};

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
