//! The reads the arrangement makes of a group and its enterprise (API.md §7a, §12): who
//! holds the extensions the sheet gives, and the enterprise's pool of numbers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Arrangement, Asks, counted};
use crate::odin::{OdinClient, group};
use crate::operation::numbers;

/// Who holds, in group `sp/group`, each extension `asks` want: extension → user id, from
/// the group's listing (`GET /users?serviceProviderId=&groupId=`, summary rows: API.md §7a;
/// every user's extension is in it, §12). Rows are kept only where they hold a wanted
/// extension. Unreadable: a warning, and nothing held (each user's own read still judges).
pub(super) async fn read_extension_holders(
    client: &OdinClient,
    (sp, group): (&str, &str),
    asks: &BTreeMap<String, Asks>,
    arrangement: &mut Arrangement,
) -> HashMap<String, String> {
    let wanted: BTreeSet<&str> = asks
        .values()
        .filter_map(|a| a.extension.as_deref().filter(|e| !e.is_empty()))
        .collect();
    let listed = group::Listed {
        service_provider: sp,
        group: Some(group),
        filter: None,
        extended: false,
    };
    let before = client.counts().requests;
    let rows = group::list_users_kept(client, listed, |row| {
        let extension = group::text_of(row.get("extension"))?;
        wanted
            .contains(extension.as_str())
            .then(|| Some((extension, group::text_of(row.get("userId"))?)))?
    })
    .await;
    arrangement.requests += client.counts().requests.saturating_sub(before);
    match rows {
        Ok(rows) => rows.into_iter().collect(),
        Err(error) => {
            if let group::GroupReadError::Odin(odin) = &error
                && odin.pauses_run()
            {
                arrangement.held.get_or_insert_with(|| odin.to_string());
            }
            arrangement.warnings.push(format!(
                "the users of group `{sp}/{group}` could not be listed ({error}): who holds the \
                 extensions the sheet gives was not checked before the run"
            ));
            HashMap::new()
        }
    }
}

/// The enterprise's numbers: national number → the group holding it (`None`: free).
pub(super) async fn read_pool(
    client: &OdinClient,
    sp: &str,
    arrangement: &mut Arrangement,
) -> Option<HashMap<String, Option<String>>> {
    let call = client
        .get("/service-providers/dns", &[("serviceProviderId", sp)])
        .await;
    let answer = counted(call, arrangement).ok()?;
    let mut pool = HashMap::new();
    for row in answer.get("dns")?.as_array()? {
        let Some(min) = group::text_of(row.get("min")) else {
            continue;
        };
        let max = group::text_of(row.get("max"));
        let holder = group::text_of(row.get("groupId")).filter(|g| !g.is_empty());
        for number in numbers::expand(&min, max.as_deref()) {
            pool.insert(number, holder.clone());
        }
    }
    Some(pool)
}
