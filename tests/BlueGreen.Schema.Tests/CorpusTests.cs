using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using BlueGreen.Core.Schema;
using Xunit;

namespace BlueGreen.Schema.Tests;

public sealed class CorpusTests
{
    private static readonly Regex Expect = new(@"^--\s*expect:\s*(?<kind>\w+)(?<rules>(\s+[a-z0-9-]+)*)\s*$", RegexOptions.Multiline);

    [Theory]
    [InlineData("postgres.sql", SqlDialect.PostgreSql)]
    [InlineData("sqlite.sql", SqlDialect.Sqlite)]
    [InlineData("sqlserver.sql", SqlDialect.SqlServer)]
    public void Every_statement_gets_its_expected_verdict(string file, SqlDialect dialect)
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file));
        int expectations = Expect.Count(text);
        IReadOnlyList<ClassifiedStatement> statements = SchemaLinter.Classify(text, dialect, new LintOptions());

        Assert.True(expectations >= 80, $"{file} has {expectations} expectations; the corpus needs at least 80.");
        var failures = new List<string>();
        foreach (ClassifiedStatement statement in statements)
        {
            Match? match = statement.LeadingComments.Select(c => Expect.Match(c)).LastOrDefault(m => m.Success);
            if (match is null)
            {
                failures.Add($"line {statement.Line}: no expectation above: {statement.Text}");
                continue;
            }

            var kind = Enum.Parse<ChangeKind>(match.Groups["kind"].Value, ignoreCase: true);
            string[] rules = match.Groups["rules"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderBy(r => r).ToArray();
            string[] actual = statement.Classification.Rules.Select(r => r.Id).OrderBy(r => r).ToArray();
            if (kind != statement.Classification.Kind || !rules.SequenceEqual(actual))
            {
                failures.Add($"line {statement.Line}: expected {kind} [{string.Join(" ", rules)}], got {statement.Classification.Kind} [{string.Join(" ", actual)}]: {statement.Text}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(expectations, statements.Count);
    }

    [Theory]
    [InlineData("postgres.sql", SqlDialect.PostgreSql)]
    [InlineData("sqlite.sql", SqlDialect.Sqlite)]
    [InlineData("sqlserver.sql", SqlDialect.SqlServer)]
    public void Every_non_additive_verdict_names_a_rule_with_a_safe_alternative(string file, SqlDialect dialect)
    {
        IReadOnlyList<StatementVerdict> verdicts = SchemaLinter.Lint(Path.Combine(AppContext.BaseDirectory, "Corpus", file), dialect);

        Assert.NotEmpty(verdicts);
        foreach (StatementVerdict verdict in verdicts.Where(v => v.Kind != ChangeKind.Additive))
        {
            Assert.NotEmpty(verdict.Rules);
            Assert.False(verdict.SafeForExpand, $"line {verdict.Line} is {verdict.Kind} but marked safe for expand");
            Assert.All(verdict.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.SafeAlternative)));
        }

        Assert.Contains(verdicts, v => v.SafeForExpand);
    }
}
