using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace BlueGreen.Core.Schema;

/// <summary>Options for classifying statements.</summary>
public sealed class LintOptions
{
    /// <summary>The PostgreSQL major version the scripts will run on; before 11 every column default rewrites the table.</summary>
    public int PostgreSqlMajorVersion { get; init; } = 15;
}

/// <summary>Classifies every statement of a script or a folder of scripts, without a database.</summary>
public static class SchemaLinter
{
    /// <summary>Lints one .sql file, or every .sql file under a folder, in migration order.</summary>
    public static IReadOnlyList<StatementVerdict> Lint(string path, SqlDialect dialect, LintOptions? options = null)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A file or folder path is required.", nameof(path));
        }

        if (Directory.Exists(path))
        {
            // The scripts of a folder are one migration set: a later one may backfill a column an earlier one adds.
            var verdicts = new List<StatementVerdict>();
            var context = new ClassificationContext((options ?? new LintOptions()).PostgreSqlMajorVersion);
            foreach (string file in MigrationSet.FindScripts(path))
            {
                context.BeginScript(file);
                verdicts.AddRange(LintText(File.ReadAllText(file), dialect, file, options, context));
            }

            return verdicts;
        }

        if (File.Exists(path))
        {
            return LintText(File.ReadAllText(path), dialect, path, options);
        }

        throw new SchemaMigrationException("SchemaPathNotFound", $"'{path}' is neither a file nor a folder.");
    }

    /// <summary>Lints the text of one script; <paramref name="file"/> is only reported back.</summary>
    public static IReadOnlyList<StatementVerdict> LintText(string text, SqlDialect dialect, string? file = null, LintOptions? options = null) =>
        LintText(text, dialect, file, options, null);

    /// <summary>Lints one script of a set; <paramref name="context"/> carries what the set's earlier scripts added.</summary>
    internal static IReadOnlyList<StatementVerdict> LintText(string text, SqlDialect dialect, string? file, LintOptions? options, ClassificationContext? context)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        options ??= new LintOptions();
        var unbound = new List<IReadOnlyList<UnboundText>>();
        IReadOnlyList<ClassifiedStatement> statements = Classify(text, dialect, options, unbound, context);

        // Outside a transaction, a failure half-way leaves the first statements applied; such a
        // script may therefore hold only the statement that needs it.
        bool mixed = statements.Count > 1 && statements.Any(s => s.Classification.RequiresNoTransaction);
        var verdicts = new List<StatementVerdict>(statements.Count);
        for (int index = 0; index < statements.Count; index++)
        {
            ClassifiedStatement statement = statements[index];
            IReadOnlyList<Waiver> waivers = Waiver.Parse(statement.LeadingComments, out IReadOnlyList<string> missingReason);
            var extra = new List<RuleHit>();
            foreach (string rule in missingReason)
            {
                extra.Add(SchemaRules.Hit("waiver-missing-reason", $"(waiver for '{rule}')"));
            }

            foreach (UnboundText stray in index < unbound.Count ? unbound[index] : Array.Empty<UnboundText>())
            {
                if (Waiver.Mentions(stray.Text))
                {
                    extra.Add(SchemaRules.Hit("waiver-applies-to-nothing", $"(line {stray.Line}: {Excerpt(stray.Text)})"));
                }
            }

            if (mixed && statement.Classification.RequiresNoTransaction)
            {
                extra.Add(SchemaRules.Hit("mixed-concurrent-script"));
            }

            verdicts.Add(new StatementVerdict(file, statement.Line, statement.Text, statement.Classification, waivers, extra));
        }

        return verdicts;
    }

    internal static IReadOnlyList<ClassifiedStatement> Classify(string text, SqlDialect dialect, LintOptions options) => Classify(text, dialect, options, null, null);

    // unbound receives, per statement, the text beside it that binds to nothing (PostgreSQL and SQLite);
    // context carries what earlier scripts of the set added.
    private static IReadOnlyList<ClassifiedStatement> Classify(string text, SqlDialect dialect, LintOptions options, List<IReadOnlyList<UnboundText>>? unbound, ClassificationContext? context)
    {
        if (dialect == SqlDialect.SqlServer)
        {
            return SqlServerClassifier.Classify(text);
        }

        context ??= new ClassificationContext(options.PostgreSqlMajorVersion);
        var result = new List<ClassifiedStatement>();
        foreach (SqlStatement statement in SqlSplitter.Split(text, dialect))
        {
            StatementClassification classification = dialect == SqlDialect.PostgreSql
                ? PostgresClassifier.Classify(statement, context)
                : SqliteClassifier.Classify(statement, context);
            result.Add(new ClassifiedStatement(statement.Text, statement.Line, statement.LeadingComments, classification));
            unbound?.Add(statement.Unbound);
        }

        return result;
    }

    private static string Excerpt(string text)
    {
        string line = text.Trim().Replace("\r", " ").Replace("\n", " ");
        return line.Length <= 80 ? line : line.Substring(0, 77) + "...";
    }
}
