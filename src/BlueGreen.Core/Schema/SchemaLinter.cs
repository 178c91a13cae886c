using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.SqlServer.TransactSql.ScriptDom;

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

    // unbound receives, per statement, the text beside it that binds to nothing; context carries what
    // earlier scripts of the set added.
    private static IReadOnlyList<ClassifiedStatement> Classify(string text, SqlDialect dialect, LintOptions options, List<IReadOnlyList<UnboundText>>? unbound, ClassificationContext? context)
    {
        if (dialect == SqlDialect.SqlServer)
        {
            IReadOnlyList<ClassifiedStatement> classified = SqlServerClassifier.Classify(text);
            unbound?.AddRange(SqlServerUnbound(text, classified));
            return classified;
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

    /// <summary>
    /// The T-SQL comments and strings holding a waiver that binds to nothing, per statement: those
    /// inside a statement, and comments after a statement on its line or after the last statement.
    /// </summary>
    private static List<IReadOnlyList<UnboundText>> SqlServerUnbound(string text, IReadOnlyList<ClassifiedStatement> statements)
    {
        var result = new List<IReadOnlyList<UnboundText>>(statements.Count);
        var lists = new List<UnboundText>[statements.Count];
        for (int i = 0; i < lists.Length; i++)
        {
            lists[i] = new List<UnboundText>();
            result.Add(lists[i]);
        }

        // Where each statement is: its text is a piece of the script, and the pieces come in order.
        var starts = new int[statements.Count];
        var ends = new int[statements.Count];
        int from = 0;
        for (int i = 0; i < statements.Count; i++)
        {
            int at = statements[i].Text.Length == 0 ? -1 : text.IndexOf(statements[i].Text, from, StringComparison.Ordinal);
            if (at < 0)
            {
                // A script ScriptDom could not parse is reported as unparseable already.
                return result;
            }

            starts[i] = at;
            ends[i] = from = at + statements[i].Text.Length;
        }

        IList<TSqlParserToken> tokens;
        using (var reader = new StringReader(text))
        {
            tokens = new TSql160Parser(initialQuotedIdentifiers: true).GetTokenStream(reader, out _);
        }

        for (int k = 0; k < tokens.Count; k++)
        {
            TSqlParserToken token = tokens[k];
            bool comment = token.TokenType is TSqlTokenType.SingleLineComment or TSqlTokenType.MultilineComment;
            bool quoted = token.TokenType is TSqlTokenType.AsciiStringLiteral or TSqlTokenType.UnicodeStringLiteral or TSqlTokenType.QuotedIdentifier;
            if (!(comment || quoted) || token.Text is null || !Waiver.Mentions(token.Text))
            {
                continue;
            }

            int next = 0;
            while (next < statements.Count && ends[next] <= token.Offset)
            {
                next++;
            }

            var stray = new UnboundText(token.Line, token.Text);
            if (next < statements.Count && token.Offset >= starts[next])
            {
                lists[next].Add(stray);
            }
            else if (next < statements.Count && comment && Waiver.StartsOwnLine(tokens, k))
            {
                continue;
            }
            else if (next > 0)
            {
                lists[next - 1].Add(stray);
            }
            else if (next < statements.Count)
            {
                lists[next].Add(stray);
            }
        }

        return result;
    }

    private static string Excerpt(string text)
    {
        string line = text.Trim().Replace("\r", " ").Replace("\n", " ");
        return line.Length <= 80 ? line : line.Substring(0, 77) + "...";
    }
}
