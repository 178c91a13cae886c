using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace BlueGreen.Core.Schema;

/// <summary>
/// Classifies T-SQL with Microsoft's own parser (ScriptDom), which handles GO batches, bracketed
/// names and every statement form, so no hand-written lexer is needed for SQL Server.
/// </summary>
internal static class SqlServerClassifier
{
    public static IReadOnlyList<ClassifiedStatement> Classify(string text)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        TSqlFragment fragment;
        IList<ParseError> errors;
        using (var reader = new StringReader(text))
        {
            fragment = parser.Parse(reader, out errors);
        }

        var results = new List<ClassifiedStatement>();
        if (errors.Count > 0)
        {
            foreach (ParseError error in errors)
            {
                var failed = new StatementClassification();
                failed.Add(ChangeKind.Unknown, "unparseable-statement", $"({error.Message})");
                string line = LineAt(text, error.Line);
                results.Add(new ClassifiedStatement(line, error.Line, Array.Empty<string>(), failed));
            }

            return results;
        }

        var tokens = fragment.ScriptTokenStream;
        int previousEnd = -1;
        var newTables = new Scope();
        foreach (TSqlBatch batch in ((TSqlScript)fragment).Batches)
        {
            foreach (TSqlStatement statement in batch.Statements)
            {
                var comments = new List<string>();
                for (int i = previousEnd + 1; i < statement.FirstTokenIndex; i++)
                {
                    if (tokens[i].TokenType is TSqlTokenType.SingleLineComment or TSqlTokenType.MultilineComment && Waiver.StartsOwnLine(tokens, i))
                    {
                        comments.Add(tokens[i].Text);
                    }
                }

                previousEnd = statement.LastTokenIndex;
                string statementText = text.Substring(statement.StartOffset, statement.FragmentLength).TrimEnd(';');
                results.Add(new ClassifiedStatement(statementText, statement.StartLine, comments, ClassifyStatement(statement, tokens, newTables)));
            }
        }

        return results;
    }

    private static string LineAt(string text, int line)
    {
        string[] lines = text.Split('\n');
        return line >= 1 && line <= lines.Length ? lines[line - 1].TrimEnd('\r') : string.Empty;
    }

    private static StatementClassification ClassifyStatement(TSqlStatement statement, IList<TSqlParserToken> tokens, Scope newTables)
    {
        var result = new StatementClassification();
        switch (statement)
        {
            case CreateTableStatement create:
                newTables.Add(create.SchemaObjectName.BaseIdentifier.Value);
                break;
            case UpdateStatement update:
                Update(update.UpdateSpecification, newTables, result);
                break;
            case DeleteStatement delete:
                if (!newTables.Contains(TargetName(delete.DeleteSpecification.Target, delete.DeleteSpecification.FromClause)))
                {
                    result.Add(ChangeKind.Destructive, "deleting-rows", Reach(delete.DeleteSpecification.WhereClause) switch
                    {
                        "every" => "(DELETE without a WHERE: every row)",
                        "true" => "(its WHERE is always true: every row)",
                        _ => null,
                    });
                }

                break;
            case MergeStatement merge:
                Merge(merge.MergeSpecification, newTables, result);
                break;
            case InsertStatement insert when insert.InsertSpecification.InsertSource is ExecuteInsertSource source:
                Execute(source.Execute, tokens, newTables, result);
                break;
            case TriggerStatementBody trigger:
                result.Add(ChangeKind.Unknown, "creating-trigger");
                result.AddFrom(Body(trigger.StatementList, tokens, newTables), "in the trigger body, which runs with the old version's writes");
                break;
            case ProcedureStatementBody procedure:
                StatementClassification body = Body(procedure.StatementList, tokens, newTables);
                string name = procedure.ProcedureReference.Name.BaseIdentifier.Value;
                newTables.Procedures[name] = body;
                if (procedure is not CreateProcedureStatement)
                {
                    result.Add(ChangeKind.Unknown, "replacing-definition");
                    result.AddFrom(body, "in the new body of " + name + ", which its existing callers run");
                }

                break;
            case BeginEndBlockStatement or IfStatement or WhileStatement or TryCatchStatement:
                result.AddFrom(Body(new[] { statement }, tokens, newTables), "inside " + statement.GetType().Name.Replace("Statement", string.Empty));
                break;
            case CreateIndexStatement index:
                bool isNew = newTables.Contains(index.OnName.BaseIdentifier.Value);
                if (!isNew && !IsOnline(index.IndexOptions))
                {
                    result.Add(ChangeKind.Additive, "require-online-index-creation");
                }

                if (!isNew && index.Unique)
                {
                    result.Add(ChangeKind.Tightening, "tightening-constraint", "(a unique index makes duplicate inserts fail)");
                }

                break;
            case AlterTableAddTableElementStatement add:
                AddElements(add, newTables.Contains(add.SchemaObjectName.BaseIdentifier.Value), result);
                foreach (ColumnDefinition column in add.Definition.ColumnDefinitions)
                {
                    newTables.Columns.Add(add.SchemaObjectName.BaseIdentifier.Value + "." + column.ColumnIdentifier.Value);
                }

                break;
            case AlterTableDropTableElementStatement drop:
                // "DROP COLUMN a, b": the second element has no type of its own and takes the one before it.
                TableElementType previous = TableElementType.Constraint;
                foreach (AlterTableDropTableElement element in drop.AlterTableDropTableElements)
                {
                    previous = element.TableElementType == TableElementType.NotSpecified ? previous : element.TableElementType;
                    result.Add(ChangeKind.Destructive, previous switch
                    {
                        TableElementType.Column => "ban-drop-column",
                        TableElementType.Constraint => "dropping-constraint",
                        _ => "dropping-object",
                    });
                }

                break;
            case AlterTableAlterColumnStatement alter:
                if (alter.DataType is not null)
                {
                    result.Add(ChangeKind.Destructive, "changing-column-type");
                    if (HasNotNull(alter, tokens))
                    {
                        result.Add(ChangeKind.Tightening, "adding-not-nullable-field");
                    }
                }
                else if (alter.AlterTableAlterColumnOption is not AlterTableAlterColumnOption.AddNotForReplication
                         and not AlterTableAlterColumnOption.DropNotForReplication)
                {
                    result.Add(ChangeKind.Unknown, "unknown-statement", "(ALTER COLUMN " + alter.AlterTableAlterColumnOption + ")");
                }

                break;
            case AlterTableConstraintModificationStatement modify:
                if (modify.ConstraintEnforcement == ConstraintEnforcement.Check)
                {
                    result.Add(ChangeKind.Tightening, "tightening-constraint", "(re-enabling a constraint)");
                }

                break;
            case DropTableStatement:
                result.Add(ChangeKind.Destructive, "ban-drop-table");
                break;
            case DropDatabaseStatement:
                result.Add(ChangeKind.Destructive, "ban-drop-database");
                break;
            case ExecuteStatement execute:
                Execute(execute.ExecuteSpecification, tokens, newTables, result);
                break;
            case TruncateTableStatement truncate:
                if (!newTables.Contains(truncate.TableName.BaseIdentifier.Value))
                {
                    result.Add(ChangeKind.Destructive, "ban-truncate");
                }

                break;
            case BeginTransactionStatement:
            case CommitTransactionStatement:
            case RollbackTransactionStatement:
            case SaveTransactionStatement:
                result.Add(ChangeKind.Unknown, "transaction-nesting");
                break;
            case RevokeStatement:
            case DenyStatement:
                result.Add(ChangeKind.Tightening, "revoking-privileges");
                break;
            case InsertStatement:
            case SelectStatement:
            case PredicateSetStatement:
            case SetVariableStatement:
            case DeclareVariableStatement:
            case PrintStatement:
            case GrantStatement:
            case CreateSchemaStatement:
            case CreateSequenceStatement:
            case CreateTypeStatement:
            case CreateStatisticsStatement:
            case UpdateStatisticsStatement:
            case CreateSynonymStatement:
                break;
            default:
                ClassifyByName(statement, result);
                break;
        }

        return result;
    }

    private static void ClassifyByName(TSqlStatement statement, StatementClassification result)
    {
        // ScriptDom has a class per object kind (CreateViewStatement, CreateOrAlterProcedureStatement,
        // DropSequenceStatement, ...); the prefix says what the statement does to the old version.
        string name = statement.GetType().Name;
        if (name.StartsWith("CreateOrAlter", StringComparison.Ordinal) || name.StartsWith("Alter", StringComparison.Ordinal))
        {
            result.Add(ChangeKind.Unknown, name.Contains("View") || name.Contains("Procedure") || name.Contains("Function") ? "replacing-definition" : "unknown-statement");
        }
        else if (name.StartsWith("Drop", StringComparison.Ordinal))
        {
            result.Add(ChangeKind.Destructive, "dropping-object");
        }
        else if (!name.StartsWith("Create", StringComparison.Ordinal))
        {
            result.Add(ChangeKind.Unknown, "unknown-statement", "(" + name + ")");
        }
    }

    private static void AddElements(AlterTableAddTableElementStatement add, bool newTable, StatementClassification result)
    {
        if (newTable)
        {
            return;
        }

        // WITH NOCHECK is T-SQL's NOT VALID: existing rows are not checked, new writes are.
        bool noCheck = add.ExistingRowsCheckEnforcement == ConstraintEnforcement.NoCheck;
        foreach (ColumnDefinition column in add.Definition.ColumnDefinitions)
        {
            bool notNull = false;
            foreach (ConstraintDefinition constraint in column.Constraints)
            {
                switch (constraint)
                {
                    case NullableConstraintDefinition nullable:
                        notNull |= !nullable.Nullable;
                        break;
                    case UniqueConstraintDefinition:
                        result.Add(ChangeKind.Additive, "disallowed-unique-constraint");
                        break;
                    case ForeignKeyConstraintDefinition:
                        result.Add(ChangeKind.Additive, "adding-foreign-key-constraint");
                        break;
                }
            }

            bool filled = column.DefaultConstraint is not null || column.IdentityOptions is not null || column.ComputedColumnExpression is not null;
            if (notNull && !filled)
            {
                result.Add(ChangeKind.Tightening, "adding-required-field");
            }

            if (column.IdentityOptions is not null || column.IsPersisted)
            {
                result.Add(ChangeKind.Additive, "adding-field-with-default");
            }
        }

        foreach (ConstraintDefinition constraint in add.Definition.TableConstraints)
        {
            switch (constraint)
            {
                case CheckConstraintDefinition:
                    result.Add(ChangeKind.Tightening, noCheck ? "tightening-constraint" : "constraint-missing-not-valid");
                    break;
                case ForeignKeyConstraintDefinition:
                    result.Add(ChangeKind.Tightening, noCheck ? "tightening-constraint" : "adding-foreign-key-constraint");
                    break;
                case UniqueConstraintDefinition:
                    result.Add(ChangeKind.Tightening, "disallowed-unique-constraint");
                    break;
                case DefaultConstraintDefinition:
                    break;
                default:
                    result.Add(ChangeKind.Tightening, "tightening-constraint");
                    break;
            }
        }
    }

    private static void Execute(ExecuteSpecification execute, IList<TSqlParserToken> tokens, Scope scope, StatementClassification result)
    {
        if (execute.ExecutableEntity is ExecutableProcedureReference procedure)
        {
            string? name = procedure.ProcedureReference?.ProcedureReference?.Name?.BaseIdentifier?.Value;
            if (string.Equals(name, "sp_rename", StringComparison.OrdinalIgnoreCase))
            {
                string kind = procedure.Parameters.Count >= 3 && procedure.Parameters[2].ParameterValue is StringLiteral literal
                    ? literal.Value.ToUpperInvariant()
                    : "OBJECT";
                result.Add(ChangeKind.Destructive, kind switch
                {
                    "COLUMN" => "renaming-column",
                    "OBJECT" => "renaming-table",
                    _ => "renaming-object",
                });
                return;
            }

            if (string.Equals(name, "sp_executesql", StringComparison.OrdinalIgnoreCase))
            {
                result.Add(ChangeKind.Unknown, "unknown-dynamic-sql");
                if (procedure.Parameters.Count > 0 && procedure.Parameters[0].ParameterValue is StringLiteral text)
                {
                    result.AddFrom(Dynamic(text.Value, scope), "in sp_executesql");
                }

                return;
            }

            result.Add(ChangeKind.Unknown, "unknown-call");
            if (name is not null && scope.Procedures.TryGetValue(name, out StatementClassification? body))
            {
                result.AddFrom(body, "in " + name + ", which runs here");
            }

            return;
        }

        result.Add(ChangeKind.Unknown, "unknown-dynamic-sql");
        if (execute.ExecutableEntity is ExecutableStringList strings && strings.Strings.All(v => v is StringLiteral))
        {
            // EXEC('DROP ' + 'TABLE t'): literals only, so what runs is known.
            result.AddFrom(Dynamic(string.Concat(strings.Strings.Cast<StringLiteral>().Select(v => v.Value)), scope), "in EXEC");
        }
    }

    private static StatementClassification Dynamic(string text, Scope scope)
    {
        var result = new StatementClassification();
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        TSqlFragment fragment;
        IList<ParseError> errors;
        using (var reader = new StringReader(text))
        {
            fragment = parser.Parse(reader, out errors);
        }

        if (errors.Count > 0)
        {
            result.Add(ChangeKind.Unknown, "unparseable-statement", "(in dynamic SQL: " + errors[0].Message + ")");
            return result;
        }

        foreach (TSqlBatch batch in ((TSqlScript)fragment).Batches)
        {
            result.AddFrom(Body(batch.Statements, fragment.ScriptTokenStream, scope), "run dynamically");
        }

        return result;
    }

    /// <summary>The statements of a body (a trigger, a procedure, BEGIN ... END, IF, WHILE, TRY), each classified as if it stood alone.</summary>
    private static StatementClassification Body(IEnumerable<TSqlStatement> statements, IList<TSqlParserToken> tokens, Scope scope)
    {
        var result = new StatementClassification();
        foreach (TSqlStatement statement in statements)
        {
            switch (statement)
            {
                case BeginEndBlockStatement block:
                    result.AddFrom(Body(block.StatementList.Statements, tokens, scope), "in BEGIN ... END");
                    break;
                case IfStatement @if:
                    result.AddFrom(Body(new[] { @if.ThenStatement, @if.ElseStatement }.Where(x => x is not null)!, tokens, scope), "in IF");
                    break;
                case WhileStatement loop:
                    result.AddFrom(Body(new[] { loop.Statement }, tokens, scope), "in WHILE");
                    break;
                case TryCatchStatement tryCatch:
                    result.AddFrom(Body(tryCatch.TryStatements.Statements.Concat(tryCatch.CatchStatements.Statements), tokens, scope), "in TRY ... CATCH");
                    break;
                default:
                    StatementClassification inner = ClassifyStatement(statement, tokens, scope);
                    foreach ((ChangeKind kind, string ruleId, string? detail) in inner.Findings)
                    {
                        result.Add(kind, ruleId, detail);
                    }

                    break;
            }
        }

        return result;
    }

    private static StatementClassification Body(StatementList? list, IList<TSqlParserToken> tokens, Scope scope) =>
        list is null ? new StatementClassification() : Body(list.Statements, tokens, scope);

    private static void Update(UpdateSpecification update, Scope scope, StatementClassification result)
    {
        string? table = TargetName(update.Target, update.FromClause);
        var columns = update.SetClauses.OfType<AssignmentSetClause>()
            .Select(c => c.Column?.MultiPartIdentifier?.Identifiers.LastOrDefault()?.Value)
            .ToList();
        bool other = update.SetClauses.Any(c => c is not AssignmentSetClause);
        string reach = Reach(update.WhereClause);
        Overwrites(table, columns, other, scope, result, reach switch
        {
            "every" => "(UPDATE without a WHERE sets every row)",
            "true" => "(the WHERE of this UPDATE is always true, so it sets every row)",
            _ => "(UPDATE of columns the old version reads)",
        });
    }

    private static void Merge(MergeSpecification merge, Scope scope, StatementClassification result)
    {
        string? table = TargetName(merge.Target, null);
        foreach (MergeActionClause clause in merge.ActionClauses)
        {
            switch (clause.Action)
            {
                case DeleteMergeAction when !scope.Contains(table):
                    result.Add(ChangeKind.Destructive, "deleting-rows", "(MERGE ... THEN DELETE)");
                    break;
                case UpdateMergeAction update:
                    var columns = update.SetClauses.OfType<AssignmentSetClause>()
                        .Select(c => c.Column?.MultiPartIdentifier?.Identifiers.LastOrDefault()?.Value)
                        .ToList();
                    Overwrites(table, columns, update.SetClauses.Any(c => c is not AssignmentSetClause), scope, result, "(MERGE ... THEN UPDATE)");
                    break;
            }
        }
    }

    private static void Overwrites(string? table, List<string?> columns, bool other, Scope scope, StatementClassification result, string detail)
    {
        if (scope.Contains(table))
        {
            return;
        }

        // Variables only (SET @n = ...) change no row; a backfill of columns this script adds is safe.
        var named = columns.Where(c => c is not null).ToList();
        if (!other && named.All(c => scope.Columns.Contains(table + "." + c)) && (named.Count > 0 || columns.Count > 0))
        {
            return;
        }

        result.Add(ChangeKind.Destructive, "overwriting-rows", detail);
    }

    /// <summary>The table an UPDATE, DELETE or MERGE changes; an alias is looked up in its FROM clause.</summary>
    private static string? TargetName(TableReference? target, FromClause? from)
    {
        if (target is not NamedTableReference named)
        {
            return null;
        }

        string name = named.SchemaObject.BaseIdentifier.Value;
        if (named.SchemaObject.SchemaIdentifier is null && from is not null)
        {
            foreach (NamedTableReference candidate in Named(from.TableReferences))
            {
                if (string.Equals(candidate.Alias?.Value, name, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate.SchemaObject.BaseIdentifier.Value;
                }
            }
        }

        return name;
    }

    private static IEnumerable<NamedTableReference> Named(IEnumerable<TableReference> references)
    {
        foreach (TableReference reference in references)
        {
            switch (reference)
            {
                case NamedTableReference named:
                    yield return named;
                    break;
                case JoinTableReference join:
                    foreach (NamedTableReference inner in Named(new[] { join.FirstTableReference, join.SecondTableReference }))
                    {
                        yield return inner;
                    }

                    break;
            }
        }
    }

    /// <summary>"every" without a WHERE, "true" when the WHERE does not depend on the row (or compares a thing with itself), else "keyed".</summary>
    private static string Reach(WhereClause? where)
    {
        if (where is null)
        {
            return "every";
        }

        if (where.SearchCondition is null)
        {
            return "keyed";
        }

        return IsTautology(where.SearchCondition) ? "true" : "keyed";
    }

    private static bool IsTautology(BooleanExpression expression) => expression switch
    {
        BooleanParenthesisExpression parens => IsTautology(parens.Expression),
        BooleanBinaryExpression { BinaryExpressionType: BooleanBinaryExpressionType.Or } or => IsTautology(or.FirstExpression) || IsTautology(or.SecondExpression),
        BooleanComparisonExpression { ComparisonType: BooleanComparisonType.Equals } equals
            when Text(equals.FirstExpression) == Text(equals.SecondExpression) => true,
        _ => !ReferencesRow(expression),
    };

    private static string Text(TSqlFragment fragment)
    {
        var builder = new System.Text.StringBuilder();
        for (int i = fragment.FirstTokenIndex; i <= fragment.LastTokenIndex; i++)
        {
            builder.Append(fragment.ScriptTokenStream[i].Text.ToUpperInvariant());
        }

        return builder.ToString();
    }

    private static bool ReferencesRow(TSqlFragment fragment)
    {
        var visitor = new RowReferences();
        fragment.Accept(visitor);
        return visitor.Found;
    }

    private sealed class RowReferences : TSqlFragmentVisitor
    {
        public bool Found { get; private set; }

        public override void Visit(ColumnReferenceExpression node) => Found = true;

        public override void Visit(ScalarSubquery node) => Found = true;

        public override void Visit(ExistsPredicate node) => Found = true;

        public override void Visit(FunctionCall node) => Found |= node.CallTarget is not null;
    }

    /// <summary>What earlier statements of the script created: tables, columns and procedures.</summary>
    private sealed class Scope
    {
        private readonly HashSet<string> _tables = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> Columns { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, StatementClassification> Procedures { get; } = new(StringComparer.OrdinalIgnoreCase);

        public void Add(string table) => _tables.Add(table);

        public bool Contains(string? table) => table is not null && _tables.Contains(table);
    }

    private static bool IsOnline(IList<IndexOption> options)
    {
        foreach (IndexOption option in options)
        {
            if (option is IndexStateOption state && option.OptionKind == IndexOptionKind.Online && state.OptionState == OptionState.On)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasNotNull(TSqlFragment fragment, IList<TSqlParserToken> tokens)
    {
        for (int i = fragment.FirstTokenIndex; i < fragment.LastTokenIndex; i++)
        {
            if (tokens[i].TokenType == TSqlTokenType.Not)
            {
                for (int j = i + 1; j <= fragment.LastTokenIndex; j++)
                {
                    if (tokens[j].TokenType is TSqlTokenType.WhiteSpace)
                    {
                        continue;
                    }

                    if (tokens[j].TokenType == TSqlTokenType.Null)
                    {
                        return true;
                    }

                    break;
                }
            }
        }

        return false;
    }

    private static bool ContainsToken(TSqlFragment fragment, IList<TSqlParserToken> tokens, TSqlTokenType type)
    {
        for (int i = fragment.FirstTokenIndex; i <= fragment.LastTokenIndex; i++)
        {
            if (tokens[i].TokenType == type)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A statement with its classification, whatever dialect it came from.</summary>
internal sealed record ClassifiedStatement(string Text, int Line, IReadOnlyList<string> LeadingComments, StatementClassification Classification);
