//! The services Odin reads for a whole group in one request (API.md §7a) and writes for
//! many users in one request (API.md §10): their names, paths and answer shapes.

use std::fmt;

/// The services whose settings Odin reads for a whole group in one request (API.md §7a),
/// and of those, the ones it writes for many users in one request (API.md §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BulkService {
    /// `Call Forwarding Always`.
    CallForwardingAlways,
    /// `Call Forwarding Busy`.
    CallForwardingBusy,
    /// `Call Forwarding No Answer`.
    CallForwardingNoAnswer,
    /// `Call Forwarding Not Reachable`.
    CallForwardingNotReachable,
    /// `Call Forwarding Always Secondary` (read only).
    CallForwardingAlwaysSecondary,
    /// `Call Recording`.
    CallRecording,
    /// `Calling Line ID Delivery Blocking`.
    CallingLineIdDeliveryBlocking,
    /// `Hoteling Host`.
    HotelingHost,
    /// `Hoteling Guest`.
    HotelingGuest,
    /// `Anonymous Call Rejection` (read only; the element's user summary is `profile`).
    AnonymousCallRejection,
    /// `Automatic Callback` (read only; the element's user summary is `profile`).
    AutomaticCallback,
    /// `Shared Call Appearance` (read only): an object `{users: [{profile, data}]}` whose
    /// elements do not say whether the service is assigned (API.md §7a, §13).
    SharedCallAppearance,
    /// `Speed Dial 8` (read only here; its answer is an object holding `users`).
    SpeedDial8,
    /// `Voice Messaging User`: its `/bulk` element's `data` is the `Voice Messaging User`
    /// part only, not the service's four parts (API.md §4 quirk 4), so it stands for no
    /// settings key of a user (`from_service_name` never names it): read per user.
    VoiceMessaging,
}

/// How a `/bulk` read answers (API.md §7a).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkShape {
    /// A JSON array of `{service, user, data}`.
    User,
    /// A JSON array of `{service, profile, data}`.
    Profile,
    /// An object `{serviceProviderId, groupId, users: [{userId, service, data, user}]}`.
    UsersObject,
}

impl BulkService {
    /// All of them, in the order of API.md.
    pub const ALL: [BulkService; 14] = [
        BulkService::CallForwardingAlways,
        BulkService::CallForwardingBusy,
        BulkService::CallForwardingNoAnswer,
        BulkService::CallForwardingNotReachable,
        BulkService::CallForwardingAlwaysSecondary,
        BulkService::CallRecording,
        BulkService::CallingLineIdDeliveryBlocking,
        BulkService::HotelingHost,
        BulkService::HotelingGuest,
        BulkService::AnonymousCallRejection,
        BulkService::AutomaticCallback,
        BulkService::SharedCallAppearance,
        BulkService::SpeedDial8,
        BulkService::VoiceMessaging,
    ];

    /// The service name: the key of its settings in `GET /users/services/settings`.
    pub fn service_name(self) -> &'static str {
        self.table().0
    }

    /// The path segment after `/users/`: `call-forwarding-always`.
    pub fn slug(self) -> &'static str {
        self.table().1
    }

    /// The shape of its group read's answer.
    pub fn shape(self) -> BulkShape {
        self.table().2
    }

    /// Whether Odin writes it for many users in one `PUT /users/{slug}/bulk {users, data}`
    /// (API.md §10: the services Odin's own front end writes so; Speed Dial 8's bulk write
    /// takes another body, and Voice Messaging's `data` is one part of the service: neither
    /// is used).
    pub fn writable(self) -> bool {
        self.table().3
    }

    fn table(self) -> (&'static str, &'static str, BulkShape, bool) {
        use BulkShape::{Profile, User, UsersObject};
        match self {
            BulkService::CallForwardingAlways => (
                "Call Forwarding Always",
                "call-forwarding-always",
                User,
                true,
            ),
            BulkService::CallForwardingBusy => {
                ("Call Forwarding Busy", "call-forwarding-busy", User, true)
            }
            BulkService::CallForwardingNoAnswer => (
                "Call Forwarding No Answer",
                "call-forwarding-no-answer",
                User,
                true,
            ),
            BulkService::CallForwardingNotReachable => (
                "Call Forwarding Not Reachable",
                "call-forwarding-not-reachable",
                User,
                true,
            ),
            BulkService::CallForwardingAlwaysSecondary => (
                "Call Forwarding Always Secondary",
                "call-forwarding-always-secondary",
                User,
                false,
            ),
            BulkService::CallRecording => ("Call Recording", "call-recording", User, true),
            BulkService::CallingLineIdDeliveryBlocking => (
                "Calling Line ID Delivery Blocking",
                "calling-line-id-delivery-blocking",
                User,
                true,
            ),
            BulkService::HotelingHost => ("Hoteling Host", "hoteling-host", User, true),
            BulkService::HotelingGuest => ("Hoteling Guest", "hoteling-guest", User, true),
            BulkService::AnonymousCallRejection => (
                "Anonymous Call Rejection",
                "anonymous-call-rejection",
                Profile,
                false,
            ),
            BulkService::AutomaticCallback => {
                ("Automatic Callback", "automatic-callback", Profile, false)
            }
            BulkService::SharedCallAppearance => (
                "Shared Call Appearance",
                "shared-call-appearance",
                UsersObject,
                false,
            ),
            BulkService::SpeedDial8 => ("Speed Dial 8", "speed-dial-8", UsersObject, false),
            BulkService::VoiceMessaging => ("Voice Messaging User", "voice-messaging", User, false),
        }
    }

    /// The group read: `GET {path}?serviceProviderId=&groupId=`; also the bulk write's
    /// path (`PUT`), for the [`writable`](Self::writable) ones.
    pub fn path(self) -> String {
        format!("/users/{}/bulk", self.slug())
    }

    /// The bulk service whose group read stands for the settings key `name` of a user's
    /// settings document, if one does (never Voice Messaging: see its variant).
    pub fn from_service_name(name: &str) -> Option<BulkService> {
        BulkService::ALL
            .into_iter()
            .filter(|s| *s != BulkService::VoiceMessaging)
            .find(|s| s.service_name() == name)
    }
}

impl fmt::Display for BulkService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.service_name())
    }
}
