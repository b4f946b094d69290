//! DESIGN.md section 2 as data: where each resource is read and written, and which keys
//! identify the user in a write body. Adding a resource is adding a row.

use serde_json::Value;

use crate::resource::Resource;

/// One row of the resource table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The resource.
    pub resource: Resource,
    /// Read with `GET {path}?userId=`, written with `PUT {path}`.
    pub path: &'static str,
    /// Keys a write body must carry besides the changes.
    pub identity: &'static [&'static str],
}

/// The table.
pub const ENDPOINTS: [Endpoint; 11] = [
    Endpoint {
        resource: Resource::User,
        path: "/users",
        identity: &["userId", "serviceProviderId", "groupId"],
    },
    Endpoint {
        resource: Resource::Services,
        path: "/users/services",
        identity: &["userId"],
    },
    Endpoint {
        resource: Resource::Settings,
        path: "/users/services/settings",
        identity: &["userId"],
    },
    Endpoint {
        resource: Resource::Policy,
        path: "/users/call-processing-policy",
        identity: &["userId"],
    },
    // Write-only (API.md §11): never read; each credential is written to its own path,
    // `Credential::path`, and this row names the first.
    Endpoint {
        resource: Resource::Credentials,
        path: "/users/authentication",
        identity: &["userId"],
    },
    // A list (API.md §13): read whole here, written an entry at a time by
    // `crate::operation`.
    Endpoint {
        resource: Resource::SharedCallAppearance,
        path: "/users/shared-call-appearance",
        identity: &["userId"],
    },
    // The group's lists (API.md §12): read from `/groups/dns/details`, written to
    // `/groups/dns` by `crate::operation::numbers`, identified by the group.
    Endpoint {
        resource: Resource::Numbers,
        path: "/groups/dns",
        identity: &["serviceProviderId", "groupId"],
    },
    Endpoint {
        resource: Resource::Activation,
        path: "/groups/dns",
        identity: &["serviceProviderId", "groupId"],
    },
    // Created with `POST /users`, removed with `DELETE /users?userId=` (API.md §14), by
    // `crate::operation::account`.
    Endpoint {
        resource: Resource::Account,
        path: "/users",
        identity: &["userId", "serviceProviderId", "groupId"],
    },
    // Membership (API.md §15): each hunt group's or call center's agent list, read and
    // written whole by `crate::operation::members`, identified by the service's id.
    Endpoint {
        resource: Resource::HuntGroups,
        path: "/groups/hunt-groups",
        identity: &["serviceUserId"],
    },
    Endpoint {
        resource: Resource::CallCenters,
        path: "/groups/call-centers/agents",
        identity: &["serviceUserId"],
    },
];

/// The row of `resource`.
pub fn endpoint(resource: Resource) -> &'static Endpoint {
    match resource {
        Resource::User => &ENDPOINTS[0],
        Resource::Services => &ENDPOINTS[1],
        Resource::Settings => &ENDPOINTS[2],
        Resource::Policy => &ENDPOINTS[3],
        Resource::Credentials => &ENDPOINTS[4],
        Resource::SharedCallAppearance => &ENDPOINTS[5],
        Resource::Numbers => &ENDPOINTS[6],
        Resource::Activation => &ENDPOINTS[7],
        Resource::Account => &ENDPOINTS[8],
        Resource::HuntGroups => &ENDPOINTS[9],
        Resource::CallCenters => &ENDPOINTS[10],
    }
}

/// Who a write is for: the user, and the service provider and group it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIdentity {
    /// The user.
    pub user_id: String,
    /// Its service provider, when known.
    pub service_provider_id: Option<String>,
    /// Its group, when known.
    pub group_id: Option<String>,
}

impl UserIdentity {
    /// The identity a plan gives (`service_provider_id`, `group_id` from the sheet), completed
    /// from the user's live record (`GET /users` shape) where the plan says nothing.
    pub fn resolve(
        user_id: &str,
        service_provider_id: Option<&str>,
        group_id: Option<&str>,
        live_record: Option<&Value>,
    ) -> UserIdentity {
        let live = |key: &str| {
            live_record
                .and_then(|record| record[key].as_str())
                .map(str::to_string)
        };
        UserIdentity {
            user_id: user_id.to_string(),
            service_provider_id: service_provider_id
                .map(str::to_string)
                .or_else(|| live("serviceProviderId")),
            group_id: group_id.map(str::to_string).or_else(|| live("groupId")),
        }
    }

    /// `body` with the keys that identify the user in a write of `resource` (the table's
    /// `identity` column); a key whose value is unknown is left out, and Odin says so.
    pub fn stamp(&self, resource: Resource, body: &Value) -> Value {
        let mut body = body.as_object().cloned().unwrap_or_default();
        for key in endpoint(resource).identity {
            let value = match *key {
                "userId" => Some(&self.user_id),
                "serviceProviderId" => self.service_provider_id.as_ref(),
                "groupId" => self.group_id.as_ref(),
                _ => None,
            };
            if let Some(value) = value {
                body.insert((*key).to_string(), Value::String(value.clone()));
            }
        }
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_resource_has_its_row() {
        for row in ENDPOINTS {
            assert_eq!(endpoint(row.resource), &row);
        }
    }

    #[test]
    fn identity_comes_from_the_plan_or_the_live_record() {
        let record = json!({"serviceProviderId": "sp", "groupId": "g"});
        let who = UserIdentity::resolve("a@x", None, Some("g2"), Some(&record));
        assert_eq!(
            who.stamp(Resource::User, &json!({"extension": "1"})),
            json!({"extension": "1", "userId": "a@x", "serviceProviderId": "sp", "groupId": "g2"})
        );
        assert_eq!(
            who.stamp(Resource::Settings, &json!({"X": {}})),
            json!({"X": {}, "userId": "a@x"})
        );
        let unknown = UserIdentity::resolve("a@x", None, None, None);
        assert_eq!(
            unknown.stamp(Resource::User, &json!({})),
            json!({"userId": "a@x"})
        );
    }
}
