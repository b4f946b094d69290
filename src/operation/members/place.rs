//! Where an agent stands in an agent list, as a rollback puts it back (API.md §15: the order
//! of a hunt group's agents is its hunt order): its index, and the agents either side of it.
//! Agents taken out of one list one after the other each record their place in the list as
//! the ones before them left it; put back in any order, next to the agent that followed
//! them (else the one that preceded them), they take their places again.

use serde_json::{Map, Value};

/// The key of the agent's index.
pub const POSITION: &str = "position";
/// The key of the agent that preceded it.
pub const AFTER: &str = "after";
/// The key of the agent that followed it.
pub const BEFORE: &str = "before";
/// The key saying it was the last agent.
pub const LAST: &str = "last";

/// The keys of a place: none of them says whether a user is an agent.
pub const KEYS: [&str; 4] = [POSITION, AFTER, BEFORE, LAST];

/// Where `user` stands in `agents` (user ids, in order): `{position, after?, before?,
/// last?}`; `None` when it is not there.
pub fn of<S: AsRef<str>>(agents: &[S], user: &str) -> Option<Map<String, Value>> {
    let at = agents.iter().position(|a| a.as_ref() == user)?;
    let mut place = Map::new();
    place.insert(POSITION.into(), Value::from(at));
    if let Some(previous) = at.checked_sub(1).and_then(|i| agents.get(i)) {
        place.insert(AFTER.into(), Value::String(previous.as_ref().to_string()));
    }
    match agents.get(at + 1) {
        Some(next) => {
            place.insert(BEFORE.into(), Value::String(next.as_ref().to_string()));
        }
        None => {
            place.insert(LAST.into(), Value::Bool(true));
        }
    }
    Some(place)
}

/// The index at which an agent whose recorded place is `place` goes back into `agents` (the
/// list as it is now, without it): before the agent that followed it, else after the one
/// that preceded it, else last where it was last, else at its position (the end when past
/// it, or when no place was recorded).
pub fn index<S: AsRef<str>>(agents: &[S], place: &Value) -> usize {
    let find = |key: &str| {
        let id = place.get(key).and_then(Value::as_str)?;
        agents.iter().position(|a| a.as_ref() == id)
    };
    let last = place.get(LAST).and_then(Value::as_bool) == Some(true);
    find(BEFORE)
        .or_else(|| find(AFTER).map(|i| i + 1))
        .or_else(|| {
            let position = place.get(POSITION).and_then(Value::as_u64)?;
            (!last).then_some(position as usize)
        })
        .unwrap_or(agents.len())
        .min(agents.len())
}

/// Reorder the agents `placed` (each with its recorded place) among `agents` (the list
/// with them put back, [`index`] each) so that every neighbour relation any of them recorded
/// holds where both agents are in the list: one read before a removal shows an agent that
/// a later read no longer does. Only the agents put back move; the others keep their
/// order. A relation that cannot hold (the agents' records disagree) is left after a
/// bounded number of moves.
pub fn settle(agents: &mut Vec<String>, placed: &[(&str, &Value)]) {
    let mut relations: Vec<(String, String)> = Vec::new();
    for (user, place) in placed {
        if let Some(previous) = place.get(AFTER).and_then(Value::as_str) {
            relations.push((previous.to_string(), user.to_string()));
        }
        if let Some(next) = place.get(BEFORE).and_then(Value::as_str) {
            relations.push((user.to_string(), next.to_string()));
        }
    }
    let moving = |id: &str| placed.iter().any(|(user, _)| *user == id);
    for _ in 0..=relations.len() * relations.len() {
        let mut moved = false;
        for (first, second) in &relations {
            let at = |agents: &[String], id: &str| agents.iter().position(|a| a == id);
            let (Some(i), Some(j)) = (at(agents, first), at(agents, second)) else {
                continue;
            };
            if i < j {
                continue;
            }
            if moving(second) {
                let agent = agents.remove(j);
                let i = at(agents, first).unwrap_or(agents.len());
                agents.insert(i + 1, agent);
            } else if moving(first) {
                let agent = agents.remove(i);
                agents.insert(j, agent);
            } else {
                continue;
            }
            moved = true;
        }
        if !moved {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_back(agents: &mut Vec<&'static str>, user: &'static str, place: &Map<String, Value>) {
        let at = index(agents, &Value::Object(place.clone()));
        agents.insert(at, user);
    }

    /// Three agents taken out one after the other, each recording its place in what the
    /// ones before it left, come back in their order whichever comes back first, once
    /// settled together.
    #[test]
    fn agents_taken_out_one_by_one_come_back_in_order_in_any_order() {
        let a = of(&["a", "b", "c", "x"], "a").unwrap();
        let b = of(&["b", "c", "x"], "b").unwrap();
        let c = of(&["c", "x"], "c").unwrap();
        let places = [("a", a), ("b", b), ("c", c)];
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let mut agents = vec!["x"];
            for i in order {
                put_back(&mut agents, places[i].0, &places[i].1);
            }
            let mut agents: Vec<String> = agents.into_iter().map(String::from).collect();
            let values: Vec<Value> = places
                .iter()
                .map(|(_, p)| Value::Object(p.clone()))
                .collect();
            let placed: Vec<(&str, &Value)> =
                places.iter().map(|(u, _)| *u).zip(values.iter()).collect();
            settle(&mut agents, &placed);
            assert_eq!(agents, ["a", "b", "c", "x"], "{order:?}");
        }
    }

    /// So do agents whose places were all read from the list before any was taken out.
    #[test]
    fn agents_read_together_come_back_in_order_in_any_order() {
        let list = ["a", "b", "c", "x"];
        let places = [
            ("a", of(&list, "a").unwrap()),
            ("c", of(&list, "c").unwrap()),
        ];
        for order in [[0, 1], [1, 0]] {
            let mut agents = vec!["b", "x"];
            for i in order {
                put_back(&mut agents, places[i].0, &places[i].1);
            }
            assert_eq!(agents, ["a", "b", "c", "x"], "{order:?}");
        }
    }

    /// Agents read at different moments of one run's removals: each alone would misplace
    /// one, their records together do not.
    #[test]
    fn agents_put_back_together_settle_by_every_record() {
        // 6 was read with 4 and 8 beside it; 4 once 6 had gone; 8 last of all.
        let six = Value::Object(of(&["4", "6", "8"], "6").unwrap());
        let four = Value::Object(of(&["4", "8"], "4").unwrap());
        let eight = Value::Object(of(&["8"], "8").unwrap());
        let placed = [("6", &six), ("8", &eight), ("4", &four)];
        let mut agents: Vec<String> = Vec::new();
        for (user, place) in placed {
            let at = index(&agents, place);
            agents.insert(at, user.to_string());
        }
        settle(&mut agents, &placed);
        assert_eq!(agents, ["4", "6", "8"]);
    }

    #[test]
    fn an_agent_comes_back_next_to_its_neighbour_wherever_it_stands_now() {
        let place = of(&["a", "b", "c", "d"], "b").unwrap();
        let mut moved = vec!["d", "c", "a"];
        put_back(&mut moved, "b", &place);
        assert_eq!(
            moved,
            ["d", "b", "c", "a"],
            "before the agent that followed it"
        );
        let mut gone = vec!["a", "d"];
        put_back(&mut gone, "b", &place);
        assert_eq!(gone, ["a", "b", "d"], "after the one before it");
        let mut tail = vec!["x", "z"];
        put_back(&mut tail, "y", &of(&["w", "y"], "y").unwrap());
        assert_eq!(tail, ["x", "z", "y"], "last where it was last");
        let at = index(&["x", "y"], &serde_json::json!({"position": 1}));
        assert_eq!(at, 1, "a position alone");
    }
}
