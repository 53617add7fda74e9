//! Seeded, deterministic in-memory data: two customers, and enough rewards, stores, products, vouchers,
//! purchases and messages that pagination matters.

use serde_json::{json, Value};

pub const APP_ID: &str = "sandbox-app";

pub struct Customer {
    pub id: String,
    pub email: String,
    pub phone: String,
    pub card: String,
    pub password: String,
    pub record: Value,
    pub points: i64,
    pub earned: i64,
    pub redeemed: i64,
    pub vouchers: Vec<Value>,
    pub purchases: Vec<Value>,
    pub messages: Vec<Value>,
}

pub fn customers() -> Vec<Customer> {
    let mk = |id: &str,
              first: &str,
              last: &str,
              email: &str,
              phone: &str,
              card: &str,
              pw: &str,
              pts: i64| {
        Customer {
            id: id.into(),
            email: email.into(),
            phone: phone.into(),
            card: card.into(),
            password: pw.into(),
            record: json!({
                "customer_id": id,
                "personal_information": {
                    "gender": 0, "first_name": first, "last_name": last, "birthdate": "1990-04-12",
                    "email": email, "phone": phone, "language_id": "en", "store_id": "s0001",
                    "photo_url": null,
                    "address": {"address1": "1 Main Street", "address2": "", "address3": "", "address4": "",
                                "address5": "", "address6": "", "address7": "", "zip": "11000",
                                "city": "Prague", "country_code": "cz"},
                    "agreement": {"agreement_gtc": true, "agreement_profiling": false,
                                  "agreement_marketing_communication": true, "custom_agreements": []},
                    "consents": []
                },
                "doi_email": true, "doi_phone": false,
                "last_change": "2026-10-01 10:00:00", "state": 1
            }),
            points: pts,
            earned: pts + 2000,
            redeemed: 2000,
            vouchers: Vec::new(),
            purchases: Vec::new(),
            messages: Vec::new(),
        }
    };
    let mut all = vec![
        mk(
            "8ea6abece4cd0a4ded0a29f0a1",
            "Alice",
            "Novak",
            "alice@example.com",
            "+420600100200",
            "9000000000001",
            "Passw0rd1",
            12_500,
        ),
        mk(
            "8ea6abece4cd0a4ded0a29f0b2",
            "Bob",
            "Svoboda",
            "bob@example.com",
            "+420600300400",
            "9000000000002",
            "Passw0rd2",
            800,
        ),
    ];
    for (i, (c, n)) in all.iter_mut().zip([(30, 120, 60), (5, 10, 8)]).enumerate() {
        c.vouchers = vouchers(i, n.0);
        c.purchases = purchases(i, n.1);
        c.messages = messages(i, n.2);
    }
    all
}

fn date(day: u32) -> String {
    format!(
        "2026-{:02}-{:02} 00:00:00",
        1 + (day / 28) % 12,
        1 + day % 28
    )
}

pub fn rewards() -> Vec<Value> {
    let kinds = [
        "Coffee",
        "Croissant",
        "Cinema ticket",
        "Gift card",
        "Free delivery",
        "Tote bag",
        "Spa day",
        "Book",
    ];
    (1..=260)
        .map(|i: u32| {
            let k = kinds[(i as usize) % kinds.len()];
            json!({
                "reward_id": format!("r{:05}", i),
                "code": format!("RW{:04}", i),
                "name": format!("{} #{}", k, i),
                "description": format!("Redeem your points for a {}.", k.to_lowercase()),
                "points_cost": 100 + (i * 37) % 4900,
                "is_valid": !i.is_multiple_of(13),
                "valid_from": date(i),
                "valid_to": "2027-12-31 23:59:59",
                "image_urls": [format!("https://img.example.invalid/rewards/{}.png", i)],
                "store_list": [format!("s{:04}", 1 + i % 40)],
                "reward_group": ([0, 1, 2, 4])[(i % 4) as usize],
                "is_automated": false,
                "partner_id": null,
                "reward_type_id": "rt1"
            })
        })
        .collect()
}

pub fn stores() -> Vec<Value> {
    let cities = ["Prague", "Brno", "Ostrava", "Plzen", "Olomouc"];
    (1..=40)
        .map(|i: u32| {
            json!({
                "store_id": format!("s{:04}", i),
                "name": format!("Store {}", i),
                "code": format!("ST{:03}", i),
                "store_address": {"address1": format!("{} Market Square", i), "city": cities[(i % 5) as usize],
                                   "zip": "11000", "country_code": "cz"},
                "gps_coordinates": {"latitude": 50.0 + f64::from(i) / 100.0, "longitude": 14.4 + f64::from(i) / 100.0},
                "opening": [{"day": 1, "open": "08:00:00", "close": "20:00:00"}],
                "visible_for_customer": !i.is_multiple_of(7)
            })
        })
        .collect()
}

pub fn products() -> Vec<Value> {
    (1..=300)
        .map(|i: u32| {
            json!({
                "product_id": format!("p{:05}", i),
                "name": format!("Product {}", i),
                "code": format!("PR{:05}", i),
                "external_id": format!("ext-{}", i),
                "price": f64::from(i % 50) * 10.0 + 9.9,
                "tag_ids": [],
                "partner_id": null
            })
        })
        .collect()
}

pub fn vouchers(customer_idx: usize, n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({
                "voucher_id": format!("v{}{:05}", customer_idx, i),
                "customer_id": null,
                "code": format!("VC{}{:05}", customer_idx, i),
                "value": 100,
                "valid_from": date(i),
                "valid_to": "2027-06-30 23:59:59",
                "applied_date": if i % 3 == 0 { Value::from(date(i + 5)) } else { Value::Null },
                "reward": {"reward_id": format!("r{:05}", i), "name": format!("Reward {}", i)},
                "state": 1,
                "is_valid": i % 3 != 0,
                "is_applied": i % 3 == 0
            })
        })
        .collect()
}

pub fn purchases(customer_idx: usize, n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({
                "purchase_id": format!("pu{}{:05}", customer_idx, i),
                "store_id": format!("s{:04}", 1 + i % 40),
                "type_id": 1,
                "payment_time": date(i),
                "total_price": f64::from(i % 90) * 3.5 + 10.0,
                "currency_id": "CZK",
                "external_purchase_id": format!("ext-pu-{}", i),
                "bill_number": format!("B{:06}", i)
            })
        })
        .collect()
}

pub fn messages(customer_idx: usize, n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({
                "message_id": format!("m{}{:05}", customer_idx, i),
                "communication_channel_id": "email",
                "subject": format!("Your monthly offers #{}", i),
                "contact": "***",
                "send_time": date(i),
                "state": 1
            })
        })
        .collect()
}

pub fn points(customer_idx: usize, total: i64) -> Vec<Value> {
    let per = total / 4;
    (1..=4)
        .map(|i| {
            json!({
                "point_id": format!("pt{}{:03}", customer_idx, i),
                "assigned_points": per,
                "available_points": if i == 4 { total - 3 * per } else { per },
                "point_type_id": "standard",
                "partner_id": null,
                "valid_to": "2027-12-31 23:59:59",
                "state": 1,
                "created_at": date(i as u32 * 20),
                "note": "purchase"
            })
        })
        .collect()
}

pub fn languages() -> Vec<Value> {
    vec![
        json!({"language_id": "en", "name": "English", "default": true}),
        json!({"language_id": "cs", "name": "Čeština", "default": false}),
        json!({"language_id": "de", "name": "Deutsch", "default": false}),
    ]
}
