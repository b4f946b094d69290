//! Which worksheet of an ODS workbook is read, decided while `content.xml` streams past.
//!
//! Named with `--sheet`: that one, hidden or not. Otherwise the active sheet (settings.xml's
//! `ActiveTable`) when it is visible, else the first visible one; a hidden sheet is never
//! read unless named. Tables come one after the other and are never revisited, so the first
//! visible table is read in case the active one turns out hidden or absent, and dropped when
//! the active one is read after it.

/// A worksheet as the workbook lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    pub name: String,
    /// Its table style says `table:display="false"`.
    pub hidden: bool,
}

/// Why a table is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Named with `--sheet`.
    Named,
    /// The active sheet, visible.
    Active,
    /// The first visible sheet, in case there is no visible active one.
    FirstVisible,
}

/// What the admin asked for and what the workbook says is active.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chooser<'a> {
    pub wanted: Option<&'a str>,
    pub active: Option<&'a str>,
}

impl Chooser<'_> {
    /// Whether `table` is to be read, given the roles of the tables read before it.
    pub fn role(&self, table: &Table, read: &[Role]) -> Option<Role> {
        if let Some(wanted) = self.wanted {
            let first = !read.contains(&Role::Named);
            return (table.name == wanted && first).then_some(Role::Named);
        }
        if table.hidden || read.contains(&Role::Active) {
            return None;
        }
        if self.active == Some(table.name.as_str()) {
            return Some(Role::Active);
        }
        (!read.contains(&Role::FirstVisible)).then_some(Role::FirstVisible)
    }
}

/// The role whose table is the sheet, from the roles read: named, else active, else the
/// first visible one.
pub(super) fn chosen(read: &[Role]) -> Option<Role> {
    [Role::Named, Role::Active, Role::FirstVisible]
        .into_iter()
        .find(|role| read.contains(role))
}

/// The warning for hidden sheets that come before the one read without `--sheet`, which
/// a reader taking the first sheet would have read; `None` when there are none.
pub(super) fn passed_over(tables: &[Table], read: &str, role: Role) -> Option<String> {
    if role == Role::Named {
        return None;
    }
    let before = tables.iter().take_while(|t| t.name != read);
    let hidden: Vec<String> = before
        .filter(|t| t.hidden)
        .map(|t| format!("`{}`", t.name))
        .collect();
    let which = match role {
        Role::Active => "the active sheet",
        _ => "the first visible sheet",
    };
    crate::sheet::workbook::passed_over(&hidden, read, which)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, hidden: bool) -> Table {
        Table {
            name: name.into(),
            hidden,
        }
    }

    /// The roles a chooser gives `tables` in order, and the one chosen.
    fn run(chooser: Chooser<'_>, tables: &[Table]) -> (Vec<Option<Role>>, Option<Role>) {
        let mut read = Vec::new();
        let roles = tables
            .iter()
            .map(|t| {
                let role = chooser.role(t, &read);
                read.extend(role);
                role
            })
            .collect();
        (roles, chosen(&read))
    }

    #[test]
    fn the_visible_active_sheet_is_read_and_the_first_visible_only_in_case() {
        let tables = [
            table("Old", true),
            table("Notes", false),
            table("Users", false),
            table("More", false),
        ];
        let chooser = Chooser {
            wanted: None,
            active: Some("Users"),
        };
        let (roles, chosen) = run(chooser, &tables);
        assert_eq!(
            roles,
            [None, Some(Role::FirstVisible), Some(Role::Active), None]
        );
        assert_eq!(chosen, Some(Role::Active));
        assert_eq!(
            passed_over(&tables, "Users", Role::Active).as_deref(),
            Some(
                "worksheet `Old` is hidden and was not read; read `Users`, the active sheet; \
                 name a hidden sheet with --sheet to read it"
            )
        );
    }

    #[test]
    fn a_hidden_or_missing_active_sheet_gives_the_first_visible_one() {
        let tables = [table("A", true), table("B", true), table("C", false)];
        for active in [Some("A"), Some("Gone"), None] {
            let chooser = Chooser {
                wanted: None,
                active,
            };
            let (roles, chosen) = run(chooser, &tables);
            assert_eq!(roles, [None, None, Some(Role::FirstVisible)]);
            assert_eq!(chosen, Some(Role::FirstVisible));
        }
        assert_eq!(
            passed_over(&tables, "C", Role::FirstVisible).as_deref(),
            Some(
                "worksheets `A`, `B` are hidden and were not read; read `C`, the first visible \
                 sheet; name a hidden sheet with --sheet to read it"
            )
        );
    }

    #[test]
    fn a_named_sheet_is_read_hidden_or_not_and_nothing_else() {
        let tables = [table("Old", true), table("Users", false)];
        let chooser = Chooser {
            wanted: Some("Old"),
            active: Some("Users"),
        };
        let (roles, chosen) = run(chooser, &tables);
        assert_eq!(roles, [Some(Role::Named), None]);
        assert_eq!(chosen, Some(Role::Named));
        assert_eq!(passed_over(&tables, "Old", Role::Named), None);
    }

    #[test]
    fn no_visible_sheet_chooses_nothing() {
        let chooser = Chooser {
            wanted: None,
            active: None,
        };
        let (_, chosen) = run(chooser, &[table("A", true)]);
        assert_eq!(chosen, None);
    }
}
