//! DESIGN.md section 2 as data: where each resource is read and written, and which keys
//! identify the user in a write body. Adding a resource is adding a row.

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
pub const ENDPOINTS: [Endpoint; 4] = [
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
];

/// The row of `resource`.
pub fn endpoint(resource: Resource) -> &'static Endpoint {
    match resource {
        Resource::User => &ENDPOINTS[0],
        Resource::Services => &ENDPOINTS[1],
        Resource::Settings => &ENDPOINTS[2],
        Resource::Policy => &ENDPOINTS[3],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_resource_has_its_row() {
        for row in super::ENDPOINTS {
            assert_eq!(super::endpoint(row.resource), &row);
        }
    }
}
