//! What sea-query cannot express the same way on both backends.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

/// `"schema"."table"` for CREATE/DROP TABLE.
pub fn table(schema: &str, name: &str) -> TableRef {
    (Alias::new(schema), Alias::new(name)).into_table_ref()
}

/// The parent table of a foreign key: SQLite forbids a schema in REFERENCES (the parent must
/// live in the same attached file, which it does, since keys never cross schemas).
pub fn parent(manager: &SchemaManager, schema: &str, name: &str) -> TableRef {
    if manager.get_database_backend() == DbBackend::Sqlite {
        Alias::new(name).into_table_ref()
    } else {
        table(schema, name)
    }
}

/// Creates an index. SQLite qualifies the index name, Postgres the table (sea-query panics on
/// a schema-qualified table for SQLite, so this writes the SQL).
pub async fn index(
    manager: &SchemaManager<'_>,
    schema: &str,
    table: &str,
    name: &str,
    columns: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let columns = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let unique = if unique { "UNIQUE " } else { "" };
    let sql = if manager.get_database_backend() == DbBackend::Sqlite {
        format!("CREATE {unique}INDEX \"{schema}\".\"{name}\" ON \"{table}\" ({columns})")
    } else {
        format!("CREATE {unique}INDEX \"{name}\" ON \"{schema}\".\"{table}\" ({columns})")
    };
    manager
        .get_connection()
        .execute_unprepared(&sql)
        .await
        .map(|_| ())
}

/// Drops tables in the given order.
pub async fn drop_tables(
    manager: &SchemaManager<'_>,
    schema: &str,
    tables: &[&str],
) -> Result<(), DbErr> {
    for name in tables {
        manager
            .drop_table(Table::drop().table(table(schema, name)).to_owned())
            .await?;
    }
    Ok(())
}

pub fn id() -> ColumnDef {
    ColumnDef::new(Alias::new("id"))
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

pub fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .to_owned()
}

pub fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().null().to_owned()
}

pub fn string(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .not_null()
        .to_owned()
}

pub fn string_null(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .null()
        .to_owned()
}

pub fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().to_owned()
}

pub fn timestamp(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub fn timestamp_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

pub fn boolean(name: &str, default: bool) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .default(default)
        .to_owned()
}

pub fn integer(name: &str, default: i32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .integer()
        .not_null()
        .default(default)
        .to_owned()
}

/// A foreign key to `parent_table(id)` in the same schema.
pub fn foreign_key(
    manager: &SchemaManager,
    schema: &str,
    from_table: &str,
    column: &str,
    parent_table: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{column}"))
        .from(table(schema, from_table), Alias::new(column))
        .to(parent(manager, schema, parent_table), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

/// An amount of money in integer minor units (never a float).
pub fn money(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

pub fn json(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .json()
        .not_null()
        .to_owned()
}

/// Milliseconds since the epoch (schedules): portable and comparable on both backends.
pub fn big_integer(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .to_owned()
}

pub fn big_integer_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .null()
        .to_owned()
}
