using System;
using System.Collections.Generic;
using System.IO;
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
        var newTables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
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

    private static StatementClassification ClassifyStatement(TSqlStatement statement, IList<TSqlParserToken> tokens, HashSet<string> newTables)
    {
        var result = new StatementClassification();
        switch (statement)
        {
            case CreateTableStatement create:
                newTables.Add(create.SchemaObjectName.BaseIdentifier.Value);
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
                Execute(execute, result);
                break;
            case DeleteStatement:
                result.Add(ChangeKind.Destructive, "deleting-rows");
                break;
            case TruncateTableStatement:
                result.Add(ChangeKind.Destructive, "ban-truncate");
                break;
            case MergeStatement merge:
                if (ContainsToken(merge, tokens, TSqlTokenType.Delete))
                {
                    result.Add(ChangeKind.Destructive, "deleting-rows");
                }

                break;
            case CreateTriggerStatement:
            case AlterTriggerStatement:
                result.Add(ChangeKind.Unknown, "creating-trigger");
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
            case UpdateStatement:
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

    private static void Execute(ExecuteStatement execute, StatementClassification result)
    {
        if (execute.ExecuteSpecification.ExecutableEntity is ExecutableProcedureReference procedure)
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
                return;
            }

            result.Add(ChangeKind.Unknown, "unknown-call");
            return;
        }

        result.Add(ChangeKind.Unknown, "unknown-dynamic-sql");
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
