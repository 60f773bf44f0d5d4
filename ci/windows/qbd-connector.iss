; Inno Setup script: the per-user installer of the packaged agent (dist\qbd-connector).
; Built by ci/windows-package.yml: ISCC /DAppVersion=X.Y ci\windows\qbd-connector.iss
; Per-user (no administrator rights): installs under %LOCALAPPDATA%\Programs, adds a
; Start-menu entry that opens the agent's UI, and starts the agent at log-in through the
; per-user Run key (the same value `qbd-connector agent install-autostart` writes).
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6E3C1C50-8E64-4C59-9B0E-5D1B7A3C2F11}
AppName=qbd-connector agent
AppVersion={#AppVersion}
AppPublisher=qbd-connector
DefaultDirName={localappdata}\Programs\qbd-connector
DefaultGroupName=qbd-connector
PrivilegesRequired=lowest
OutputDir=..\..\dist\installer
OutputBaseFilename=qbd-connector-agent-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
DisableProgramGroupPage=yes
CloseApplications=force

[Files]
Source: "..\..\dist\qbd-connector\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\qbd-connector agent"; Filename: "{app}\qbd-connector.exe"; Parameters: "agent ui"; Comment: "Open the agent's window (starts it if needed)"
Name: "{group}\Uninstall qbd-connector agent"; Filename: "{uninstallexe}"

[Registry]
; Autostart at log-in (HKCU\...\Run), removed by the uninstaller.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "qbd-connector agent"; ValueData: """{app}\qbd-connector.exe"" agent run"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\qbd-connector.exe"; Parameters: "agent start"; Flags: runhidden nowait postinstall skipifsilent; Description: "Start the agent now"

[UninstallRun]
Filename: "{app}\qbd-connector.exe"; Parameters: "agent stop"; Flags: runhidden; RunOnceId: "StopAgent"
