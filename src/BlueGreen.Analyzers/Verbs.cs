using System;
using System.Collections.Generic;

namespace BlueGreen.Analyzers;

/// <summary>PowerShell's approved verbs (Get-Verb in PowerShell 7.6), and the ones this module treats as changing state.</summary>
internal static class Verbs
{
    public static readonly HashSet<string> Approved = new(StringComparer.Ordinal)
    {
        // VerbsCommon
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New", "Open",
        "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show", "Skip",
        "Split", "Step", "Switch", "Undo", "Unlock", "Watch",
        // VerbsCommunications
        "Connect", "Disconnect", "Read", "Receive", "Send", "Write",
        // VerbsData
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand",
        "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save", "Sync",
        "Unpublish", "Update",
        // VerbsDiagnostic
        "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",
        // VerbsLifecycle
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke",
        "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",
        // VerbsOther
        "Use",
        // VerbsSecurity
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
    };

    /// <summary>
    /// Verbs whose cmdlets change something outside the pipeline (AWS resources, processes, files, session state), so
    /// -WhatIf and -Confirm must work. Left out on purpose: verbs that read or compute (Get, Test, Find, Measure,
    /// ConvertTo, ...), Wait, Write/Out/Show (they write to streams or the host), and Invoke, whose cmdlets range from
    /// read-only (Invoke-CanaryAnalysis) to changing (Invoke-SchemaMigration): an Invoke cmdlet that changes something
    /// declares SupportsShouldProcess itself, and BG1007 catches a ShouldProcess call without it.
    /// </summary>
    public static readonly HashSet<string> StateChanging = new(StringComparer.Ordinal)
    {
        "Add", "Clear", "Copy", "Lock", "Move", "New", "Redo", "Remove", "Rename", "Reset", "Set", "Undo", "Unlock",
        "Dismount", "Edit", "Export", "Initialize", "Merge", "Mount", "Publish", "Restore", "Save", "Sync", "Unpublish", "Update",
        "Repair",
        "Approve", "Complete", "Deny", "Deploy", "Disable", "Enable", "Install", "Register", "Restart", "Resume", "Start",
        "Stop", "Submit", "Suspend", "Uninstall", "Unregister",
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
    };
}
