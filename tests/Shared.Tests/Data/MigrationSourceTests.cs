using Platform.Data;
using Platform.Messaging;
using Shared.Tests.Support;

namespace Shared.Tests.Data;

public sealed class MigrationSourceTests
{
    [Fact]
    public void Loads_the_messaging_migrations_embedded_in_Platform_Messaging()
    {
        var migrations = MessagingMigrations.Source.Load();

        Assert.Equal("messaging", MessagingMigrations.Source.Scope);
        var first = Assert.Single(migrations, m => m.Version == 1);
        Assert.Equal("outbox_inbox", first.Name);
        Assert.Contains("CREATE TABLE outbox_messages", first.Sql);
        Assert.Contains("CREATE TABLE inbox_messages", first.Sql);
        Assert.Equal(migrations.OrderBy(m => m.Version).Select(m => m.Version), migrations.Select(m => m.Version));
    }

    [Fact]
    public void Orders_migrations_by_number_not_by_resource_name()
    {
        var source = ResourceAssembly.Migrations("ordering",
            ("10_ten.sql", "SELECT 10;"),
            ("9_nine.sql", "SELECT 9;"),
            ("0002_two.sql", "SELECT 2;"),
            ("0001_one.sql", "SELECT 1;"));

        var migrations = source.Load();

        Assert.Equal([1, 2, 9, 10], migrations.Select(m => m.Version));
        Assert.Equal(["one", "two", "nine", "ten"], migrations.Select(m => m.Name));
        Assert.Equal("SELECT 9;", migrations[2].Sql);
    }

    [Fact]
    public void Ignores_resources_that_are_not_numbered_sql_files_in_a_Migrations_folder()
    {
        var assembly = new ResourceAssembly("Fake.Mixed", new Dictionary<string, string>
        {
            ["Fake.Mixed.Migrations.0001_real.sql"] = "SELECT 1;",
            ["Fake.Mixed.Migrations.readme.sql"] = "not numbered",
            ["Fake.Mixed.Migrations.0002_notes.txt"] = "not sql",
            ["Fake.Mixed.Seeds.0003_seed.sql"] = "not in Migrations",
            ["Fake.Mixed.Migrations.0004_draft.sql.bak"] = "not .sql at the end",
        });

        var migrations = new MigrationSource("mixed", assembly).Load();

        var only = Assert.Single(migrations);
        Assert.Equal((1, "real"), (only.Version, only.Name));
    }

    [Fact]
    public void Refuses_two_migrations_with_the_same_number()
    {
        var source = ResourceAssembly.Migrations("dupes", ("0001_a.sql", "SELECT 1;"), ("1_b.sql", "SELECT 1;"));

        var error = Assert.Throws<InvalidOperationException>(() => source.Load());

        Assert.Contains("'dupes'", error.Message);
        Assert.Contains("1", error.Message);
    }
}
