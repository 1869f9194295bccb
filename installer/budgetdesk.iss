; Inno Setup script: BudgetDesk-<version>-setup.exe from the frozen build in dist\BudgetDesk.
; Build on Windows (README, 安装): make dist, then
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\budgetdesk.iss
; Per-user install without administrator rights into %LOCALAPPDATA%\Programs\BudgetDesk; Chinese
; Start-menu and desktop shortcuts; .bdp data packages open in the program (HKCU); uninstalling
; removes the program only — the budgets in %LOCALAPPDATA%\BudgetDesk stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "部门预算填报"
#define AppExe "BudgetDesk.exe"
#define DistDir "..\dist\BudgetDesk"

[Setup]
AppId={{7C1E4C53-2B7A-4E35-9A77-3D5B0E2F9B10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=BudgetDesk
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName} BudgetDesk
DefaultDirName={localappdata}\Programs\BudgetDesk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ChangesAssociations=yes
OutputDir=..\dist
OutputBaseFilename=BudgetDesk-{#AppVersion}-setup
SetupIconFile=..\resources\icons\budgetdesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
; ChineseSimplified.isl ships with Inno Setup 6.3+ (Languages\Unofficial in older releases).
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "附加快捷方式："

[Files]
Source: "{#DistDir}\BudgetDesk.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\budgetdesk-cli.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "部门预算和绩效目标的编制、审核、打印和上报"
Name: "{autoprograms}\{#AppName} 自检"; Filename: "{cmd}"; Parameters: "/k ""{app}\budgetdesk-cli.exe"" selftest"; Comment: "检查本机能否正常导入、审核、打印"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .bdp data packages (per user, no administrator rights needed)
Root: HKCU; Subkey: "Software\Classes\.bdp"; ValueType: string; ValueName: ""; ValueData: "BudgetDesk.Package"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\BudgetDesk.Package"; ValueType: string; ValueName: ""; ValueData: "部门预算数据包"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\BudgetDesk.Package\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\BudgetDesk.Package\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent

; [UninstallDelete] deliberately absent: the database, settings and logs live outside {app}
; (%LOCALAPPDATA%\BudgetDesk) and survive uninstalling and reinstalling.
