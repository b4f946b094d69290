//! Group-scale reads that keep only what the caller needs. A large group's listing is
//! megabytes of JSON, and every value of it built at once costs several times that: these
//! read the answer's array one element at a time, and keep (or trim) each as it comes, so
//! that memory follows the users a run touches, not the size of their groups.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;

use super::parse::{BulkElement, bulk_element, parse_bulk_elements, text_of};
use super::{BulkService, BulkShape, GroupReadError, Listed, OdinClient, listing, malformed};

/// A listing (`GET /users?serviceProviderId=SP[&groupId=G]…`, see [`Listed`]): what `keep`
/// returns for each row (it gets each row as read, and may trim it, turn it into something
/// smaller, or drop it: `None`). Rows are summaries, not records (API.md §7a). A 404 is
/// [`GroupReadError::NotFound`].
pub async fn list_users_kept<T>(
    client: &OdinClient,
    listed: Listed<'_>,
    keep: impl FnMut(Value) -> Option<T>,
) -> Result<Vec<T>, GroupReadError> {
    let path = "/users";
    let call = client.get_raw(path, &listed.query()).await;
    let bytes = listing(call.result, || listed.what())?;
    let mut bad = None;
    let mut index = 0;
    let mut keep = keep;
    let rows = filtered_array(&bytes, |row| {
        index += 1;
        if !row.is_object() || text_of(row.get("userId")).is_none() {
            bad.get_or_insert(index);
            return None;
        }
        keep(row)
    })
    .map_err(|e| malformed(path, e.to_string()))?;
    match bad {
        Some(i) => Err(malformed(
            path,
            format!("user {i} is not a record with a `userId`"),
        )),
        None => Ok(rows),
    }
}

/// `GET /users/{slug}/bulk?serviceProviderId=&groupId=` (API.md §7a), keeping the elements
/// of the users `keep` names: user id → element, as [`super::read_bulk`] gives them. A 404
/// is [`GroupReadError::Unsupported`].
pub async fn read_bulk_kept(
    client: &OdinClient,
    service_provider: &str,
    group: &str,
    service: BulkService,
    keep: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, BulkElement>, GroupReadError> {
    let kept = |id: String, element: BulkElement| keep(&id).then_some((id, element));
    let elements = read_bulk_with(client, (service_provider, group), service, kept).await?;
    Ok(elements.into_iter().collect())
}

/// [`read_bulk_kept`] keeping what `keep` makes of each element (user id, element) as it
/// is read (`None`: dropped), so that a large group's elements are never all held whole.
pub async fn read_bulk_with<T>(
    client: &OdinClient,
    (service_provider, group): (&str, &str),
    service: BulkService,
    mut keep: impl FnMut(String, BulkElement) -> Option<T>,
) -> Result<Vec<T>, GroupReadError> {
    let path = service.path();
    let query = [("serviceProviderId", service_provider), ("groupId", group)];
    let call = client.get_raw(&path, &query).await;
    let bytes = match call.result {
        Ok(bytes) => bytes,
        Err(error) if error.status() == Some(404) => {
            return Err(GroupReadError::Unsupported { path });
        }
        Err(error) => return Err(error.into()),
    };
    if service.shape() == BulkShape::UsersObject {
        // One object holding the elements: read whole (Speed Dial 8 answers are small).
        let body = serde_json::from_slice(&bytes).map_err(|e| malformed(&path, e.to_string()))?;
        let elements =
            parse_bulk_elements(&body, service).map_err(|reason| malformed(&path, reason))?;
        return Ok(elements
            .into_iter()
            .filter_map(|(id, element)| keep(id, element))
            .collect());
    }
    let mut wrong = None;
    let mut index = 0;
    let kept = filtered_array(&bytes, |item| {
        let i = index;
        index += 1;
        match bulk_element(i, item, service) {
            Ok(Some((id, element))) => keep(id, element),
            Ok(None) => None,
            Err(reason) => {
                wrong.get_or_insert(reason);
                None
            }
        }
    })
    .map_err(|e| malformed(&path, e.to_string()))?;
    match wrong {
        Some(reason) => Err(malformed(&path, reason)),
        None => Ok(kept),
    }
}

/// A JSON array read one element at a time: `keep` sees each element as it is read, and
/// what it returns is kept.
pub(crate) fn filtered_array<T>(
    bytes: &[u8],
    keep: impl FnMut(Value) -> Option<T>,
) -> Result<Vec<T>, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let kept = Filtered(keep, std::marker::PhantomData).deserialize(&mut reader)?;
    reader.end()?;
    Ok(kept)
}

struct Filtered<F, T>(F, std::marker::PhantomData<T>);

impl<'de, T, F: FnMut(Value) -> Option<T>> DeserializeSeed<'de> for Filtered<F, T> {
    type Value = Vec<T>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T, F: FnMut(Value) -> Option<T>> Visitor<'de> for Filtered<F, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut kept = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            if let Some(item) = (self.0)(item) {
                kept.push(item);
            }
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn arrays_are_kept_element_by_element() {
        let body = json!([{"userId": "a", "x": 1}, {"userId": "b", "x": 2}]).to_string();
        let kept = filtered_array(body.as_bytes(), |mut row| {
            row.as_object_mut()?.remove("x");
            (row["userId"] != "b").then_some(row)
        })
        .unwrap();
        assert_eq!(kept, [json!({"userId": "a"})]);
        assert!(filtered_array(b"{\"users\": []}", Some).is_err());
        assert!(filtered_array(b"[1] trailing", Some).is_err());
    }
}
