//! What a sheet may say of a number's activation.

use sleipnir::sim::user_id;

use crate::support::{sleipnir_in, workdir};

/// `<null>` (or any other value that is not `true`/`false`) is not an activation, and
/// an activation beside a number taken off has no number: both refused at their cells by a
/// plan without a target.
#[test]
fn an_activation_that_is_not_true_or_false_or_has_no_number_is_refused_at_its_cell() {
    let work = workdir();
    let dir = work.path();
    let text = format!(
        "userId,user.phoneNumber,user.phoneNumberActivated\n\
         {},,<null>\n{},<null>,true\n{},<empty>,TRUE\n{},,json:\"yes\"\n{},<null>,false\n",
        user_id(1),
        user_id(2),
        user_id(3),
        user_id(4),
        user_id(5),
    );
    std::fs::write(dir.join("a.csv"), text).expect("sheet");
    let planned = sleipnir_in(dir, &["plan", "a.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let said = &planned.stderr;
    for expected in [
        "row 2, column C",
        "`<null>` is not an activation: write `true` or `false`",
        "row 3, column C",
        "there is no number to activate or deactivate: row 3, column B takes the number",
        "row 4, column C",
        "row 5, column C",
        // `false` too: after the run the user holds no number its rollback could restore
        // the activation of.
        "row 6, column C",
    ] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
    // A row that takes a number off alone plans.
    let text = format!("userId,user.phoneNumber\n{},<null>\n", user_id(5));
    std::fs::write(dir.join("b.csv"), text).expect("sheet");
    let planned = sleipnir_in(dir, &["plan", "b.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
}
