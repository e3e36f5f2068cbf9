//! Query helpers every module's `store/` uses: loading a row only when the caller may see it,
//! narrowing lists to what the caller may see, and changing a row's status only while it is
//! still the status that was read.

use crate::{
    auth::Caller,
    rules::{DomainError, DomainResult},
};
use sea_orm::{
    sea_query::{Expr, Func, IntoCondition, LikeExpr, SimpleExpr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoSimpleExpr, PrimaryKeyTrait,
    QueryFilter, QueryTrait, Select, UpdateMany, Value,
};
use uuid::Uuid;

/// The row `id` if `visible` says the caller may see it; otherwise `NotFound(noun)`, the same
/// answer as for a row that does not exist, so another dealer's rows are never revealed.
pub async fn find_visible<E>(
    db: &impl ConnectionTrait,
    id: Uuid,
    noun: &'static str,
    visible: impl FnOnce(&E::Model) -> bool,
) -> DomainResult<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id)
        .one(db)
        .await?
        .filter(|row| visible(row))
        .ok_or(DomainError::NotFound(noun))
}

/// Which documents of a dealer a list shows: dealer roles their dealer's (OEM roles name one, or
/// see all), dealer staff only their own.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    pub dealer_id: Option<Uuid>,
    /// Set for dealer staff: only documents this person owns.
    pub own_only: Option<Uuid>,
}

impl Visibility {
    pub fn of(caller: &Caller, requested_dealer: Option<Uuid>) -> DomainResult<Self> {
        let dealer_id = if caller.dealer_id.is_some() || requested_dealer.is_some() {
            Some(caller.acting_dealer(requested_dealer)?)
        } else {
            None
        };
        Ok(Self {
            dealer_id,
            own_only: (!caller.sees_all_of_dealer()).then_some(caller.subject),
        })
    }

    /// Narrows `select` to what this visibility shows: the dealer in `dealer`, and for dealer
    /// staff the rows whose `owner` is them.
    pub fn apply<E: EntityTrait>(
        self,
        select: Select<E>,
        dealer: E::Column,
        owner: E::Column,
    ) -> Select<E> {
        select
            .apply_if(self.dealer_id, |q, d| q.filter(dealer.eq(d)))
            .apply_if(self.own_only, |q, o| q.filter(owner.eq(o)))
    }
}

/// `text` for a LIKE pattern, its metacharacters (`%`, `_` and the escape character `\` itself)
/// escaped with `\`, so a search for `50%_off` finds exactly that.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A LIKE pattern matching values that contain `text` literally, with its `ESCAPE '\'` clause
/// (SQLite has no default escape character, so the clause makes both backends agree):
/// `Column::Number.like(like_contains(q))`.
pub fn like_contains(text: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(text))).escape('\\')
}

/// A LIKE pattern matching values that start with `text` literally (see [`like_contains`]).
pub fn like_prefix(text: &str) -> LikeExpr {
    LikeExpr::new(format!("{}%", escape_like(text))).escape('\\')
}

/// `column` contains `text`, ignoring (ASCII, and on Postgres all) case: the search of a `q` list
/// parameter over names, the same on SQLite (case-insensitive LIKE) and Postgres (case-sensitive).
pub fn contains_ignoring_case(column: impl IntoSimpleExpr, text: &str) -> SimpleExpr {
    Expr::expr(Func::lower(column.into_simple_expr())).like(like_contains(&text.to_lowercase()))
}

/// An entity whose rows move through a lifecycle with optimistic versioning: an `id`, a
/// `status`, a `version` bumped on every change and an `updated_at`.
pub trait Tracked: EntityTrait {
    /// How messages name a row ("test drive").
    const NOUN: &'static str;
    fn id_column() -> Self::Column;
    fn status_column() -> Self::Column;
    fn version_column() -> Self::Column;
    fn updated_at_column() -> Self::Column;
}

/// Implements [`Tracked`] for the `Entity` of the sea-orm entity module it is called in, whose
/// columns are `Id`, `Version`, `UpdatedAt` and the given status column.
#[macro_export]
macro_rules! tracked {
    ($noun:literal, $status:ident) => {
        impl $crate::store::Tracked for Entity {
            const NOUN: &'static str = $noun;
            fn id_column() -> Column {
                Column::Id
            }
            fn status_column() -> Column {
                Column::$status
            }
            fn version_column() -> Column {
                Column::Version
            }
            fn updated_at_column() -> Column {
                Column::UpdatedAt
            }
        }
    };
}

/// Writes `changes` to the row `id` only while it is still at `version` (the one read), and
/// moves it to the next version. `false`: another request changed the row first.
pub async fn update_at_version<E>(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    mut changes: E::ActiveModel,
) -> DomainResult<bool>
where
    E: Tracked,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    changes.set(E::version_column(), (version + 1).into());
    changes.set(E::updated_at_column(), chrono::Utc::now().into());
    let changed = E::update_many()
        .set(changes)
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(version))
        .exec(db)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// Moves one row from the status that was read to the next one, with any other columns set in
/// the same statement. If another request moved the row first, nothing is written and the
/// answer is 409 `concurrent_change`: of two racing requests, exactly one wins.
#[must_use = "a status change does nothing until executed"]
pub struct StatusChange<E: Tracked> {
    update: UpdateMany<E>,
}

impl<E: Tracked> StatusChange<E> {
    pub fn new(id: Uuid, from: impl Into<Value>, to: impl Into<Value>) -> Self {
        let update = E::update_many()
            .col_expr(E::status_column(), Expr::value(to))
            .col_expr(E::updated_at_column(), Expr::value(chrono::Utc::now()))
            .col_expr(E::version_column(), Expr::col(E::version_column()).add(1))
            .filter(E::id_column().eq(id))
            .filter(E::status_column().eq(from));
        Self { update }
    }

    /// Also sets `column` to `value`.
    pub fn set(mut self, column: E::Column, value: impl Into<Value>) -> Self {
        self.update = self.update.col_expr(column, Expr::value(value));
        self
    }

    /// Also sets `column` to an expression (e.g. a counter plus one).
    pub fn set_expr(mut self, column: E::Column, value: impl IntoSimpleExpr) -> Self {
        let value: SimpleExpr = value.into_simple_expr();
        self.update = self.update.col_expr(column, value);
        self
    }

    /// Also requires `condition` of the row (e.g. "nothing paid yet"): if a racing change broke
    /// it, nothing is written and the answer is the same 409 `concurrent_change`.
    pub fn only_if(mut self, condition: impl IntoCondition) -> Self {
        self.update = self.update.filter(condition);
        self
    }

    pub async fn exec(self, db: &impl ConnectionTrait) -> DomainResult<()> {
        let moved = self.update.exec(db).await?.rows_affected;
        if moved == 1 {
            Ok(())
        } else {
            Err(DomainError::changed_meanwhile(E::NOUN))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{Database, Set};

    mod doors {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "doors")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub dealer_id: Uuid,
            pub status: String,
            pub note: Option<String>,
            pub version: i32,
            pub updated_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        crate::tracked!("door", Status);
    }

    async fn one_door() -> (sea_orm::DatabaseConnection, Uuid, Uuid) {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared(
            "CREATE TABLE doors (id TEXT PRIMARY KEY, dealer_id TEXT NOT NULL, status TEXT NOT NULL, \
             note TEXT, version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        )
        .await
        .unwrap();
        let (id, dealer) = (Uuid::now_v7(), Uuid::now_v7());
        doors::ActiveModel {
            id: Set(id),
            dealer_id: Set(dealer),
            status: Set("closed".into()),
            note: Set(None),
            version: Set(1),
            updated_at: Set(chrono::Utc::now()),
        }
        .insert(&db)
        .await
        .unwrap();
        (db, id, dealer)
    }

    #[tokio::test]
    async fn of_two_changes_from_the_same_status_one_wins() {
        let (db, id, _) = one_door().await;
        StatusChange::<doors::Entity>::new(id, "closed", "open")
            .set(doors::Column::Note, "first")
            .exec(&db)
            .await
            .unwrap();
        let second = StatusChange::<doors::Entity>::new(id, "closed", "locked")
            .exec(&db)
            .await;
        assert!(matches!(second, Err(DomainError::Conflict { .. })));
        let row = doors::Entity::find_by_id(id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.status.as_str(), row.version), ("open", 2));
        assert_eq!(row.note.as_deref(), Some("first"));
    }

    #[tokio::test]
    async fn of_two_updates_at_the_same_version_one_wins() {
        let (db, id, _) = one_door().await;
        let note = |text: &str| doors::ActiveModel {
            note: Set(Some(text.to_owned())),
            ..Default::default()
        };
        assert!(
            update_at_version::<doors::Entity>(&db, id, 1, note("first"))
                .await
                .unwrap()
        );
        assert!(
            !update_at_version::<doors::Entity>(&db, id, 1, note("second"))
                .await
                .unwrap()
        );
        let row = doors::Entity::find_by_id(id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.note.as_deref(), row.version), (Some("first"), 2));
    }

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_off\x"), r"50\%\_off\\x");
        assert_eq!(escape_like("plain"), "plain");
    }

    #[tokio::test]
    async fn like_patterns_match_metacharacters_literally() {
        let (db, id, _) = one_door().await;
        let with_note = |note: &str| doors::ActiveModel {
            note: Set(Some(note.to_owned())),
            ..Default::default()
        };
        assert!(
            update_at_version::<doors::Entity>(&db, id, 1, with_note("Sale 50%_OFF"))
                .await
                .unwrap()
        );
        let count = |expr: SimpleExpr| {
            let db = db.clone();
            async move {
                doors::Entity::find()
                    .filter(expr)
                    .all(&db)
                    .await
                    .unwrap()
                    .len()
            }
        };
        let note = || doors::Column::Note;
        assert_eq!(count(note().like(like_contains("%_O"))).await, 1);
        assert_eq!(count(note().like(like_contains("0%"))).await, 1);
        assert_eq!(count(note().like(like_contains("%%"))).await, 0);
        assert_eq!(count(note().like(like_contains("_"))).await, 1);
        assert_eq!(count(note().like(like_contains("__"))).await, 0);
        assert_eq!(count(note().like(like_prefix("Sale 5"))).await, 1);
        assert_eq!(count(note().like(like_prefix("%"))).await, 0);
        assert_eq!(count(contains_ignoring_case(note(), "50%_off")).await, 1);
        assert_eq!(count(contains_ignoring_case(note(), "50%_of_")).await, 0);
    }

    #[tokio::test]
    async fn a_row_the_caller_may_not_see_is_not_found() {
        let (db, id, dealer) = one_door().await;
        let found = find_visible::<doors::Entity>(&db, id, "door", |d| d.dealer_id == dealer).await;
        assert!(found.is_ok());
        let hidden =
            find_visible::<doors::Entity>(&db, id, "door", |d| d.dealer_id != dealer).await;
        assert!(matches!(hidden, Err(DomainError::NotFound("door"))));
        let missing = find_visible::<doors::Entity>(&db, Uuid::now_v7(), "door", |_| true).await;
        assert!(matches!(missing, Err(DomainError::NotFound("door"))));
    }
}
