//! The switches for the unknowns of API.md §14 (creating and deleting users) and §15 (hunt
//! group and call center membership). Each defaults to the answer the sources' evidence
//! favours, named in its doc comment.

use std::fmt;
use std::str::FromStr;

/// How the simulator answers the unknowns of §14 and §15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberVariant {
    /// The shape of `GET /groups/hunt-groups?serviceUserId=` (§15, conflict).
    pub hunt_group_read: HuntGroupRead,
    /// The elements of that read's `agents` (§15, conflict).
    pub hunt_group_agents: AgentRows,
    /// What `PUT /groups/call-centers/agents` does when its agents carry `skillLevel` (§15,
    /// conflict).
    pub skill_put: SkillPut,
    /// What `PUT /groups/hunt-groups` without `agents` does to the agent list (§15,
    /// unknown).
    pub agents_omitted: AgentsOmitted,
    /// What `DELETE /users?userId=` of an unknown user answers (§14, unknown).
    pub delete_unknown: DeleteUnknown,
    /// What `POST /users` with a `phoneNumber` and no `extension` gives the user (§14,
    /// unknown).
    pub create_extension: CreateExtension,
    /// What `GET /users?userId=` of a user nobody has answers (§14: a create reads it first;
    /// unknown).
    pub unknown_user_read: UnknownUserRead,
}

/// What the read of an unknown user answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownUserRead {
    /// 404, as the simulator answers every request naming an unknown user. The default.
    #[default]
    NotFound,
    /// 400 with BroadWorks' text `[Error 4008] User not found: <id>`, as a server passing
    /// BroadWorks' error through would.
    BadRequest,
}

/// The shape of the single hunt group read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HuntGroupRead {
    /// The hunt group object (`fixtures/group-hunt-group.json`), as Odin's front end uses it
    /// (API.md §15, [C UI `group-hunt-group/index.js` `loadHuntGroup`]). The default: the
    /// front end is the client Odin is built for.
    #[default]
    Object,
    /// A one-element array holding it, as odins_spear's page shows it.
    Array,
}

/// The elements of a hunt group's `agents` in the single read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentRows {
    /// Full rows (`userId, lastName, firstName, phoneNumber, extension, weight…`), as the
    /// front end's agent table reads them and the real example of `GET
    /// /groups/hunt-groups/user` shows (API.md §15). The default.
    #[default]
    Full,
    /// `{userId}` alone, as odins_spear's page shows them.
    Ids,
}

/// What the call center agents PUT does when its agents carry `skillLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SkillPut {
    /// The list sent replaces the whole list, skill levels or not, as odins_spear's own page
    /// and the front end say (API.md §15). The default.
    #[default]
    Replace,
    /// With a `skillLevel` on any agent, the agents sent are added or have their skill level
    /// changed and every other agent stays, as odins_spear's
    /// `put_group_call_center_agents_levels` assumes.
    Merge,
}

/// What a hunt group PUT without `agents` does to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentsOmitted {
    /// The list stays: odins_spear's `put_group_hunt_group` sends only the keys given
    /// (API.md §15), which would wipe the agents of every settings change otherwise. The
    /// default.
    #[default]
    Keep,
    /// The list is emptied, as a whole-object write read literally would.
    Clear,
}

/// What a delete of an unknown user answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeleteUnknown {
    /// 404, as every other request naming an unknown user (API.md §14). The default.
    #[default]
    NotFound,
    /// 200 `[]`, as if it had been deleted.
    Ok,
}

/// What a create with a number and no extension gives the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreateExtension {
    /// No extension. The default: no source shows one given (API.md §14), and a client that
    /// counts on one then finds none.
    #[default]
    None,
    /// The last four digits of the number (the group's `defaultExtensionLength`), as
    /// BroadWorks can derive one; none when the group has it taken already.
    FromNumber,
}

choices!(HuntGroupRead, "a hunt group read shape", "object" => HuntGroupRead::Object, "array" => HuntGroupRead::Array);
choices!(AgentRows, "an agent row shape", "full" => AgentRows::Full, "ids" => AgentRows::Ids);
choices!(SkillPut, "a skill level PUT answer", "replace" => SkillPut::Replace, "merge" => SkillPut::Merge);
choices!(AgentsOmitted, "an answer to a PUT without agents", "keep" => AgentsOmitted::Keep, "clear" => AgentsOmitted::Clear);
choices!(DeleteUnknown, "an unknown user's delete status", "404" => DeleteUnknown::NotFound, "200" => DeleteUnknown::Ok);
choices!(UnknownUserRead, "an unknown user's read status", "404" => UnknownUserRead::NotFound, "400" => UnknownUserRead::BadRequest);
choices!(CreateExtension, "a created user's extension", "none" => CreateExtension::None, "from-number" => CreateExtension::FromNumber);

impl MemberVariant {
    /// The switches that differ from the defaults, added to `parts` for
    /// [`super::Variant::describe`].
    pub(super) fn describe(&self, parts: &mut Vec<String>) {
        let default = MemberVariant::default();
        if self.hunt_group_read != default.hunt_group_read {
            parts.push(format!("hunt group read as {}", self.hunt_group_read));
        }
        if self.hunt_group_agents != default.hunt_group_agents {
            parts.push(format!("hunt group agents as {}", self.hunt_group_agents));
        }
        if self.skill_put != default.skill_put {
            parts.push(format!("call center skill PUTs {}", self.skill_put));
        }
        if self.agents_omitted != default.agents_omitted {
            parts.push(format!(
                "hunt group PUT without agents: {}",
                self.agents_omitted
            ));
        }
        if self.delete_unknown != default.delete_unknown {
            parts.push(format!("deleting an unknown user: {}", self.delete_unknown));
        }
        if self.unknown_user_read != default.unknown_user_read {
            parts.push(format!(
                "reading an unknown user: {}",
                self.unknown_user_read
            ));
        }
        if self.create_extension != default.create_extension {
            parts.push(format!(
                "created users' extension: {}",
                self.create_extension
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_and_print_alike_and_describe_what_differs() {
        for text in ["object", "array"] {
            assert_eq!(text.parse::<HuntGroupRead>().unwrap().to_string(), text);
        }
        assert_eq!("200".parse::<DeleteUnknown>(), Ok(DeleteUnknown::Ok));
        assert!("both".parse::<SkillPut>().is_err());
        let mut parts = Vec::new();
        MemberVariant::default().describe(&mut parts);
        assert!(parts.is_empty());
        MemberVariant {
            skill_put: SkillPut::Merge,
            create_extension: CreateExtension::FromNumber,
            ..MemberVariant::default()
        }
        .describe(&mut parts);
        assert_eq!(
            parts,
            [
                "call center skill PUTs merge",
                "created users' extension: from-number"
            ]
        );
    }
}
