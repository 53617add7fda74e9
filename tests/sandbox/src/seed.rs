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
    pub cards: Vec<Value>,
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
                    "gender": 1, "first_name": first, "last_name": last, "birthdate": "1990-04-12",
                    "email": email, "phone": phone, "language_id": "en", "store_id": "s0001",
                    "address": {"address1": "1 Main Street", "address2": "", "address3": "", "address4": "",
                                "address5": "", "address6": "", "address7": "", "zip": "11000",
                                "city": "Prague", "country_code": "cz"},
                    "agreement": {"agreement_gtc": 1, "agreement_profiling": 0,
                                  "agreement_marketing_communication": 1, "custom_agreements": []},
                    "consents": []
                },
                "doi_email": "2026-01-05 09:00:00", "doi_phone": "",
                "last_change": "2026-10-01 10:00:00", "state": 1
            }),
            points: pts,
            earned: pts + 2000,
            redeemed: 2000,
            vouchers: Vec::new(),
            purchases: Vec::new(),
            messages: Vec::new(),
            cards: Vec::new(),
        }
    };
    let mut all = vec![
        mk(
            "8ea6abece4cd0a4ded0a29f0a1",
            "Alice",
            "Novak",
            "alice@example.com",
            "420600100200",
            "9000000000001",
            "Passw0rd1",
            12_500,
        ),
        mk(
            "8ea6abece4cd0a4ded0a29f0b2",
            "Bob",
            "Svoboda",
            "bob@example.com",
            "420600300400",
            "9000000000002",
            "Passw0rd2",
            800,
        ),
    ];
    for (i, (c, n)) in all.iter_mut().zip([(30, 120, 60), (5, 10, 8)]).enumerate() {
        c.vouchers = vouchers(&c.id, i, n.0);
        c.purchases = purchases(&c.id, i, n.1);
        c.messages = messages(&c.id, i, n.2);
        c.cards = cards(c, i);
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

/// The date every seeded validity is compared with ("today" in the sandbox).
pub const TODAY: &str = "2026-11-27 00:00:00";

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
    let stores = stores();
    (1..=260)
        .map(|i: u32| {
            let k = kinds[(i as usize) % kinds.len()];
            // Every 13th reward has expired; every 5th is valid in one store only (empty list: every store).
            let valid_to = if i.is_multiple_of(13) {
                "2025-12-31 23:59:59"
            } else {
                "2027-12-31 23:59:59"
            };
            let store_list: Vec<Value> = if i.is_multiple_of(5) {
                vec![stores[(i % 40) as usize].clone()]
            } else {
                Vec::new()
            };
            json!({
                "reward_id": format!("r{:05}", i),
                "code": format!("RW{:04}", i),
                "name": format!("{} #{}", k, i),
                "note": format!("Redeem your points for a {}.", k.to_lowercase()),
                "subtitle": k,
                "points_cost": 100 + (i * 37) % 4900,
                "valid_time_from": date(i),
                "valid_time_to": valid_to,
                "reward_group": ([0, 1, 2, 4])[(i % 4) as usize],
                "reward_type_id": "rt1",
                "store_list": store_list,
                "additional_properties": [],
                "priority": 1 + i % 9,
                "image_urls": [format!("https://img.example.invalid/rewards/{}.png", i)],
                "is_automated": false,
                "tags": [],
                "last_change": "2026-10-01 10:00:00",
                "state": 1
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
                "store_code": format!("ST{:03}", i),
                "name": format!("Store {}", i),
                "store_address": {"address1": format!("{} Market Square", i), "city": cities[(i % 5) as usize],
                                   "zip": "11000", "country_code": "cz"},
                "partner_id": "",
                "system_id": "sys1",
                "gps_coordinates": {"gps_latitude": 50.0 + f64::from(i) / 100.0, "gps_longitude": 14.4 + f64::from(i) / 100.0},
                "opening": [{"day_id": "1", "time_intervals": [{"from": "08:00:00", "to": "20:00:00"}]}],
                "image_urls": [],
                "visibility_for_customer": if i.is_multiple_of(7) { 0 } else { 1 },
                "last_change": "2026-10-01 10:00:00",
                "state": 1
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
                "plu_ids": [],
                "prices": [{"currency_id": "CZK", "value": f64::from(i % 50) * 10.0 + 9.9}],
                "additional_properties": [],
                "image_urls": [],
                "tags": [],
                "last_change": "2026-10-01 10:00:00",
                "state": 1
            })
        })
        .collect()
}

/// A voucher as the spec shapes it; `applied` vouchers carry `applied_date`.
pub fn voucher(
    customer_id: &str,
    id: &str,
    code: &str,
    value: f64,
    valid_from: &str,
    reward: &Value,
    applied: Option<&str>,
) -> Value {
    let mut v = json!({
        "voucher_id": id,
        "customer_id": customer_id,
        "code": code,
        "value": value,
        "valid_from": valid_from,
        "valid_to": "2027-06-30 23:59:59",
        "reward": reward,
        "created_at": valid_from,
        "last_change": valid_from,
        "state": 1
    });
    if let Some(a) = applied {
        v["applied_date"] = json!(a);
    }
    v
}

pub fn vouchers(customer_id: &str, customer_idx: usize, n: u32) -> Vec<Value> {
    let rewards = rewards();
    (1..=n)
        .map(|i| {
            let reward = &rewards[(i as usize - 1) % rewards.len()];
            let applied = (i % 3 == 0).then(|| date(i + 5));
            voucher(
                customer_id,
                &format!("v{}{:05}", customer_idx, i),
                &format!("VC{}{:05}", customer_idx, i),
                100.0,
                &date(i),
                reward,
                applied.as_deref(),
            )
        })
        .collect()
}

pub fn purchases(customer_id: &str, customer_idx: usize, n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({
                "purchase_id": format!("pu{}{:05}", customer_idx, i),
                "customer_id": customer_id,
                "store_id": format!("s{:04}", 1 + i % 40),
                "external_purchase_id": format!("ext-pu-{}", i),
                "payment_time": date(i),
                "items_count": 1 + i % 5,
                "type_id": "1",
                "total_price": f64::from(i % 90) * 3.5 + 10.0,
                "currency_id": "CZK",
                "cashdesk_number": format!("{}", 1 + i % 4),
                "last_change": date(i)
            })
        })
        .collect()
}

pub fn messages(customer_id: &str, customer_idx: usize, n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({
                "message_id": format!("m{}{:05}", customer_idx, i),
                "status": 1,
                "message_template_id": format!("tpl{}", 1 + i % 3),
                "customer_id": customer_id,
                "contact": "***",
                "title": format!("Your monthly offers #{}", i),
                "send_time": date(i),
                "communication_channel_id": 1,
                "message_data": [],
                "attachments": [],
                "last_change": date(i)
            })
        })
        .collect()
}

pub fn points(customer_id: &str, customer_idx: usize, total: i64) -> Vec<Value> {
    let per = total / 4;
    (1..=4)
        .map(|i| {
            json!({
                "point_id": format!("pt{}{:03}", customer_idx, i),
                "customer_id": customer_id,
                "assigned_points": per,
                "available_points": if i == 4 { total - 3 * per } else { per },
                "point_type_id": "standard",
                "partner_id": "",
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

/// The customer's loyalty cards: the login card (`Customer::card`) and an expired older one.
pub fn cards(c: &Customer, customer_idx: usize) -> Vec<Value> {
    let card = |n: usize, number: &str, state: u8, valid_to: &str| {
        json!({
            "card_id": format!("c{customer_idx}{n:04}"),
            "card_number": number,
            "card_type_id": "ct1",
            "customer_id": c.id,
            "secondary_card_number": "",
            "state": state,
            "store_id": "s0001",
            "valid_from": "2024-01-01 00:00:00",
            "valid_to": valid_to,
            "last_change": "2026-10-01 10:00:00"
        })
    };
    let main = if c.card.is_empty() {
        format!("90000000{customer_idx:05}")
    } else {
        c.card.clone()
    };
    vec![
        card(1, &main, 1, "2029-12-31 23:59:59"),
        card(
            2,
            &format!("80000000{customer_idx:05}"),
            0,
            "2025-12-31 23:59:59",
        ),
    ]
}

/// Point movements: earnings from purchases and redemptions for rewards, newest last.
pub fn point_history(customer_id: &str, n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            let earned = i % 4 != 0;
            json!({
                "customer_id": customer_id,
                "point_amount": if earned { f64::from(10 * i) } else { -f64::from(100 * i) },
                "point_history_record_time": date(i * 3),
                "point_operation_type": if earned { "purchase" } else { "reward" },
                "point_operation_note": if earned { "Points for a purchase" } else { "Points for a reward" },
                "point_type_id": "standard",
                "partner_id": "",
                "store_id": format!("s{:04}", 1 + i % 40),
                "extended_data": ""
            })
        })
        .collect()
}

/// The items of a purchase, as many as its `items_count`.
pub fn purchase_items(purchase: &Value) -> Vec<Value> {
    let id = purchase["purchase_id"].as_str().unwrap_or("");
    let n = purchase["items_count"].as_u64().unwrap_or(1);
    (1..=n)
        .map(|i| {
            json!({
                "purchase_item_id": format!("{id}-{i}"),
                "product_id": format!("p{:05}", i),
                "product_name": format!("Product {}", i),
                "purchase_item_type_id": "1",
                "price": 9.9 * i as f64,
                "amount": 1.0,
                "vat_rate": 21.0,
                "external_id": format!("ext-{}", i),
                "additional_properties": []
            })
        })
        .collect()
}

/// A message's bodies (`GET /messages/{id}/detail`).
pub fn message_detail(message: &Value) -> Value {
    let title = message["title"].as_str().unwrap_or("");
    json!({
        "plain_text_body": format!("{title}\n\nThis month's offers are waiting for you."),
        "html_body": format!("<h1>{title}</h1><p>This month's offers are waiting for you.</p>"),
        "attachments": [],
        "last_change": message["last_change"]
    })
}

pub fn reward_tags() -> Vec<Value> {
    ["food", "culture", "wellness", "gifts"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({"tag_id": format!("tag{}", i + 1), "text_id": t, "name": t.to_uppercase(), "state": 1,
                   "last_change": "2026-10-01 10:00:00"})
        })
        .collect()
}

/// The products a reward is redeemable for (three, chosen by the reward's number).
pub fn reward_products(reward_no: usize) -> Vec<Value> {
    let all = products();
    (0..3)
        .filter_map(|k| all.get((reward_no * 7 + k * 11) % all.len()).cloned())
        .map(|mut p| {
            p["reward_product_relation_types"] = json!(["condition"]);
            p
        })
        .collect()
}

/// `text_id` `email` is the e-mail channel the password-setup e-mail is sent through.
pub fn communication_channels() -> Vec<Value> {
    [("email", "E-mail"), ("sms", "SMS"), ("push", "Push notification")]
        .iter()
        .enumerate()
        .map(|(i, (t, n))| json!({"communication_channel_id": format!("cch{:02}", i + 1), "text_id": t, "name": n}))
        .collect()
}

pub fn agreements() -> Vec<Value> {
    [
        ("gtc", "General terms and conditions", "cch01"),
        ("marketing", "Marketing communication", "cch01"),
        ("profiling", "Profiling", "cch02"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (t, n, ch))| {
        json!({"agreement_id": format!("ag{:02}", i + 1), "text_id": t, "name": n, "communication_channel_id": ch,
               "text": format!("I agree: {n}."), "withdrawal_text": format!("I withdraw: {n}."),
               "last_change": "2026-10-01 10:00:00"})
    })
    .collect()
}

pub fn countries() -> Vec<Value> {
    [
        ("cz", "Czech Republic"),
        ("sk", "Slovakia"),
        ("de", "Germany"),
        ("at", "Austria"),
        ("pl", "Poland"),
    ]
    .iter()
    .map(|(id, n)| json!({"country_id": id, "name": n, "state": 1}))
    .collect()
}
