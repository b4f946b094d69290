//! One hunt group's or call center's agent list as read, and the change a run makes to it.

use serde_json::{Map, Value, json};

use super::{POSITION, SKILL};
use crate::odin::group::text_of as text;

/// One list as read: its id, the hunt group object without agents (null for a call
/// center) and its agents in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// The hunt group's (call center's) service user id.
    pub id: String,
    /// The hunt group as read, without `agents`; null for a call center.
    pub object: Value,
    /// The agents in order: user id and skill level (call centers).
    pub agents: Vec<(String, Option<Value>)>,
}

impl Record {
    /// As kept in a group answer and a user's document:
    /// `{id, object, agents: [{userId, skillLevel?}]}`.
    pub fn to_value(&self) -> Value {
        let agents: Vec<Value> = self
            .agents
            .iter()
            .map(|(user, skill)| {
                let mut agent = Map::new();
                agent.insert("userId".into(), Value::String(user.clone()));
                if let Some(skill) = skill.as_ref().filter(|s| !s.is_null()) {
                    agent.insert(SKILL.into(), skill.clone());
                }
                Value::Object(agent)
            })
            .collect();
        json!({"id": self.id, "object": self.object, "agents": agents})
    }

    /// Read back from [`Record::to_value`].
    pub fn from_value(value: &Value) -> Option<Record> {
        let agents = value.get("agents")?.as_array()?;
        Some(Record {
            id: text(value.get("id"))?,
            object: value.get("object").cloned().unwrap_or(Value::Null),
            agents: agents
                .iter()
                .filter_map(|a| Some((text(a.get("userId"))?, a.get(SKILL).cloned())))
                .collect(),
        })
    }

    /// The user's entry in it (its place, [`super::place::of`], and `skillLevel?`), if an
    /// agent.
    pub fn entry_of(&self, user: &str) -> Option<Value> {
        let ids: Vec<&str> = self.agents.iter().map(|(id, _)| id.as_str()).collect();
        let mut entry = super::place::of(&ids, user)?;
        let at = ids.iter().position(|id| *id == user)?;
        if let Some(skill) = self.agents[at].1.as_ref().filter(|s| !s.is_null()) {
            entry.insert(SKILL.into(), skill.clone());
        }
        Some(Value::Object(entry))
    }

    /// The record with `changes` (user → entry or null, in plan order) made: removals
    /// first (the others keep their order), then each agent added appended, or put back at
    /// the place its entry gives (a rollback's, [`super::place::index`]), and an agent
    /// already there at another position moved to it.
    pub fn changed(&self, changes: &[(String, Value)]) -> Record {
        let mut after = self.clone();
        for (user, _) in changes.iter().filter(|(_, e)| e.is_null()) {
            after.agents.retain(|(id, _)| id != user);
        }
        for (user, entry) in changes.iter().filter(|(_, e)| !e.is_null()) {
            let mut skill = entry.get(SKILL).cloned().filter(|s| !s.is_null());
            let position = entry.get(POSITION).and_then(Value::as_u64);
            if let Some(at) = after.agents.iter().position(|(id, _)| id == user) {
                if position.is_none_or(|p| p as usize == at) {
                    if skill.is_some() {
                        after.agents[at].1 = skill;
                    }
                    continue;
                }
                let (_, was) = after.agents.remove(at);
                skill = skill.or(was);
            }
            let ids: Vec<&str> = after.agents.iter().map(|(id, _)| id.as_str()).collect();
            let at = super::place::index(&ids, entry);
            after.agents.insert(at, (user.clone(), skill));
        }
        // Agents put back together each recorded their neighbours as the list stood when
        // they were read: together they say more than each alone.
        let placed: Vec<(&str, &Value)> = changes
            .iter()
            .filter(|(_, e)| e.get(POSITION).is_some())
            .map(|(user, entry)| (user.as_str(), entry))
            .collect();
        let mut ids: Vec<String> = after.agents.iter().map(|(id, _)| id.clone()).collect();
        super::place::settle(&mut ids, &placed);
        let mut agents = std::mem::take(&mut after.agents);
        for id in ids {
            if let Some(at) = agents.iter().position(|(a, _)| *a == id) {
                after.agents.push(agents.remove(at));
            }
        }
        after
    }

    /// Whether `after` leaves out an agent this record has.
    pub fn loses_agents(&self, after: &Record) -> bool {
        self.agents
            .iter()
            .any(|(id, _)| !after.agents.iter().any(|(a, _)| a == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(agents: &[&str]) -> Record {
        Record {
            id: "hg@x".into(),
            object: json!({}),
            agents: agents.iter().map(|a| (a.to_string(), None)).collect(),
        }
    }

    fn ids(record: &Record) -> Vec<&str> {
        record.agents.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn removals_keep_order_and_additions_append_in_plan_order() {
        let changes = vec![
            ("e".into(), json!({})),
            ("b".into(), Value::Null),
            ("d".into(), json!({})),
        ];
        let after = record(&["a", "b", "c"]).changed(&changes);
        assert_eq!(ids(&after), ["a", "c", "e", "d"]);
    }

    #[test]
    fn a_rollback_entry_puts_the_agent_back_at_its_position() {
        let changes = vec![("b".into(), json!({"position": 1}))];
        assert_eq!(
            ids(&record(&["a", "c", "x"]).changed(&changes)),
            ["a", "b", "c", "x"]
        );
        // Past the end of a list grown shorter since: last.
        let changes = vec![("b".into(), json!({"position": 7}))];
        assert_eq!(ids(&record(&["a"]).changed(&changes)), ["a", "b"]);
    }

    #[test]
    fn a_member_already_there_is_left_where_it_is() {
        let changes = vec![("a".into(), json!({}))];
        assert_eq!(ids(&record(&["a", "b"]).changed(&changes)), ["a", "b"]);
    }

    #[test]
    fn records_read_back_as_written() {
        let mut one = record(&["a", "b"]);
        one.agents[1].1 = Some(json!(3));
        assert_eq!(Record::from_value(&one.to_value()), Some(one.clone()));
        assert_eq!(
            one.entry_of("b"),
            Some(json!({"position": 1, "after": "a", "last": true, "skillLevel": 3}))
        );
        assert_eq!(one.entry_of("z"), None);
    }
}
