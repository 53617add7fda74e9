//! Typed resources for Rust callers, shaped as CareCloud's `openapi.yaml` defines them. Every field is optional
//! and unknown fields are ignored (CareCloud adds optional fields in minor versions), so a model never fails
//! on a response that merely grew or shrank. JS callers get plain objects instead (see the package's types).
//!
//! ```
//! use carecloud_customer::models::{ListPage, Reward};
//! let data = serde_json::json!({"rewards": [{"reward_id": "r1", "name": "Coffee", "points_cost": 100,
//!                                            "brand_new_field": {"x": 1}}], "total_items": 1});
//! let page: ListPage<Reward> = ListPage::from_data(&data, "rewards").unwrap();
//! assert_eq!(page.items[0].name.as_deref(), Some("Coffee"));
//! assert_eq!(page.total_items, Some(1));
//! ```

use crate::error::{Error, ErrorKind};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// A postal address.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Address {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
}

/// GPS coordinates of a store.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct GpsCoordinates {
    pub gps_latitude: Option<f64>,
    pub gps_longitude: Option<f64>,
}

/// A store (`GET /stores`, `GET /stores/{id}`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Store {
    pub store_id: Option<String>,
    pub store_code: Option<String>,
    pub name: Option<String>,
    pub store_address: Option<Address>,
    pub gps_coordinates: Option<GpsCoordinates>,
    pub visibility_for_customer: Option<u8>,
    pub state: Option<u8>,
}

/// A reward (`GET /rewards`); redeeming one creates a [`Voucher`].
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Reward {
    pub reward_id: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub note: Option<String>,
    pub subtitle: Option<String>,
    pub points_cost: Option<f64>,
    pub valid_time_from: Option<String>,
    pub valid_time_to: Option<String>,
    pub reward_group: Option<u8>,
    pub store_list: Vec<Store>,
    pub image_urls: Vec<String>,
    pub state: Option<u8>,
}

/// A voucher (`GET /customers/{id}/vouchers`, `GET /vouchers/{id}`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Voucher {
    pub voucher_id: Option<String>,
    pub customer_id: Option<String>,
    pub code: Option<String>,
    pub value: Option<f64>,
    pub applied_date: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub reward: Option<Reward>,
    pub state: Option<u8>,
}

/// A customer's personal information. PII: never log it.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct PersonalInformation {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birthdate: Option<String>,
    pub language_id: Option<String>,
    pub store_id: Option<String>,
    pub address: Option<Address>,
}

impl std::fmt::Debug for PersonalInformation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalInformation { *** }")
    }
}

/// A customer (`GET /customers`, `GET /customers/{id}`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Customer {
    pub customer_id: Option<String>,
    pub personal_information: Option<PersonalInformation>,
    pub last_change: Option<String>,
    pub state: Option<u8>,
}

/// One point record (`GET /customers/{id}/points`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct PointRecord {
    pub point_id: Option<String>,
    pub assigned_points: Option<f64>,
    pub available_points: Option<f64>,
    pub point_type_id: Option<String>,
    pub valid_to: Option<String>,
    pub state: Option<u8>,
}

/// A money value.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct MoneyValue {
    pub currency_id: Option<String>,
    pub value: Option<f64>,
}

/// `GET /wallet/actions/points-overview`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct PointsOverview {
    pub earned_points: Option<f64>,
    pub redeemed_points: Option<f64>,
    pub available_points: Option<f64>,
    pub available_points_money_value: Vec<MoneyValue>,
}

/// A product (`GET /products`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Product {
    pub product_id: Option<String>,
    pub name: Option<String>,
    pub code: Option<String>,
    pub prices: Vec<MoneyValue>,
}

/// A purchase (`GET /customers/{id}/purchases`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Purchase {
    pub purchase_id: Option<String>,
    pub store_id: Option<String>,
    pub payment_time: Option<String>,
    pub total_price: Option<f64>,
    pub currency_id: Option<String>,
}

/// A message (`GET /messages`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Message {
    pub message_id: Option<String>,
    pub title: Option<String>,
    pub send_time: Option<String>,
    pub communication_channel_id: Option<i64>,
}

/// A language (`GET /languages`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Language {
    pub language_id: Option<String>,
    pub name: Option<String>,
}

/// One page of a list: the items under the list key and `total_items`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListPage<T> {
    /// The items.
    pub items: Vec<T>,
    /// `total_items` (all matching records across pages), when sent.
    pub total_items: Option<u64>,
}

impl<T: DeserializeOwned> ListPage<T> {
    /// Reads a page from a response's `data`; a missing list is empty, an item of the wrong shape is a `decode`
    /// error naming the list.
    pub fn from_data(data: &Value, list_key: &str) -> Result<ListPage<T>, Error> {
        let page = crate::envelope::Page::from_data(data, Some(list_key));
        let items = page
            .items
            .into_iter()
            .map(serde_json::from_value::<T>)
            .collect::<Result<Vec<T>, _>>()
            .map_err(|_| {
                Error::new(
                    ErrorKind::Decode,
                    format!("an item of `{list_key}` has an unexpected shape"),
                )
            })?;
        Ok(ListPage {
            items,
            total_items: page.total_items,
        })
    }
}

/// Decodes the `data` of a response body into `T` (an empty body decodes as `T::default()` where one exists).
pub fn data_of<T: DeserializeOwned>(body: &str) -> Result<T, Error> {
    let v: Value = if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str::<Value>(body)
            .map_err(|_| Error::new(ErrorKind::Decode, "the response body is not valid JSON"))?
            .get("data")
            .cloned()
            .unwrap_or(Value::Null)
    };
    serde_json::from_value(v).map_err(|_| {
        Error::new(
            ErrorKind::Decode,
            "the response `data` has an unexpected shape",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_ignored_and_missing_ones_tolerated() {
        let r: Reward = data_of(r#"{"data":{"reward_id":"r1","new_field":[1,2],"store_list":[{"store_id":"s1","x":1}]}}"#).unwrap();
        assert_eq!(r.reward_id.as_deref(), Some("r1"));
        assert_eq!(r.store_list.len(), 1);
        assert_eq!(r.name, None);
        let o: PointsOverview = data_of(r#"{"data":{}}"#).unwrap();
        assert_eq!(o, PointsOverview::default());
    }

    #[test]
    fn wrong_types_are_decode_errors() {
        let e = data_of::<Reward>(r#"{"data":{"points_cost":"a lot"}}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        let e = ListPage::<Reward>::from_data(&serde_json::json!({"rewards": [1]}), "rewards")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }

    #[test]
    fn personal_information_never_prints() {
        let c: Customer = data_of(
            r#"{"data":{"customer_id":"c1","personal_information":{"email":"alice@example.com"}}}"#,
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("alice"));
    }
}
