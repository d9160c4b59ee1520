; 镇街指挥台 towndesk — Windows setup (Inno Setup 6.3 or newer, Unicode).
;
; Packages the PyInstaller one-folder build (dist\towndesk, made by installer\towndesk.spec) as
; one setup .exe. Build it with installer\windows\build.ps1, or by hand:
;
;   ISCC.exe /DAppVersion=0.1.0 /DBundleDir=C:\src\towndesk\dist\towndesk installer\windows\towndesk.iss
;
; /DAppVersion   version shown and registered (default: the file version of towndesk.exe)
; /DBundleDir    the one-folder build to package (default: ..\..\dist\towndesk)
; /DOutputDir    where the setup .exe goes (default: ..\..\dist)
;
; Silent roll-out by IT (see installer\README.md):
;   towndesk-setup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART [/MERGETASKS="!desktopicon"] [/DIR="D:\Towndesk"] [/LOG="C:\towndesk-setup.log"]
;   "C:\Program Files\Towndesk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;
; Operator data is NOT in the program folder: towndesk keeps it per Windows user in
; %LOCALAPPDATA%\towndesk (platformdirs user_data_dir, or TOWNDESK_HOME / --data-dir). Installing,
; upgrading and uninstalling never touch it; only an interactive uninstall asks whether to delete it
; (default: keep), and then only for the Windows user running the uninstaller.

#if Ver < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is required (x64compatible architecture identifiers)
#endif

#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\..\dist\towndesk"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\..\dist"
#endif
#define AppExe "towndesk.exe"
#if !FileExists(AddBackslash(BundleDir) + AppExe)
  #error No PyInstaller build found: build dist\towndesk first (installer\README.md) or pass /DBundleDir=...
#endif
#ifndef AppVersion
  ; The spec writes the package version into the exe's version resource.
  #define AppVersion GetVersionNumbersString(AddBackslash(BundleDir) + AppExe)
#endif
#define AppFileVersion GetVersionNumbersString(AddBackslash(BundleDir) + AppExe)
#define AppName "镇街指挥台"
#define Icon AddBackslash(SourcePath) + "..\..\resources\icons\towndesk.ico"

[Setup]
; AppId identifies towndesk to Windows for upgrades and uninstall: never change it.
AppId={{C2E28A41-4DB8-4971-8551-B9358997C251}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=towndesk
AppComments=镇街综合信息指挥中心桌面端
VersionInfoVersion={#AppFileVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} 安装程序
; Per-machine install to Program Files (64-bit), administrators only.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 runs on Windows 10 1809 and newer.
MinVersion=10.0.17763
DefaultDirName={autopf}\Towndesk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
SetupIconFile={#Icon}
WizardStyle=modern
ShowLanguageDialog=no
; Close a running towndesk (Restart Manager) before files are replaced.
CloseApplications=yes
RestartApplications=no
OutputDir={#OutputDir}
OutputBaseFilename=towndesk-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes

[Languages]
; Chinese wizard: Inno Setup ships ChineseSimplified.isl only as a user-contributed (unofficial)
; translation. Put a copy next to this script, or into the compiler's Languages folder; without it
; the wizard falls back to English (our own texts below stay Chinese). See installer\README.md.
#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
  #pragma warning "ChineseSimplified.isl not found: the setup wizard will be in English"
Name: "english"; MessagesFile: "compiler:Default.isl"
#endif

[CustomMessages]
; No language prefix: the same Chinese texts whichever wizard language is in use.
DesktopIcon=创建桌面快捷方式
ShortcutsGroup=快捷方式：
LaunchAfterInstall=立即运行镇街指挥台
DeleteDataPrompt=是否同时删除本机的镇街指挥台数据？%n%n数据目录：%1%n（包括数据库、附件、备份和日志）%n%n选“否”保留数据，重新安装后可继续使用。删除后无法恢复。
DeleteDataFailed=部分数据未能删除，请手动删除：%1

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:ShortcutsGroup}"

[InstallDelete]
; An upgrade replaces the whole program folder content (no stale modules from the old version).
; Operator data is elsewhere and is not affected.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The file list is the build folder itself: everything PyInstaller put in dist\towndesk.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "镇街综合信息指挥中心桌面端"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchAfterInstall}"; Flags: nowait postinstall skipifsilent

[Code]
const
  DataFolderName = 'towndesk';

{ %LOCALAPPDATA%\towndesk of the user running the uninstaller (app.paths.data_dir's default). }
function OperatorDataDir: String;
begin
  Result := ExpandConstant('{localappdata}\') + DataFolderName;
end;

{ Operator data is deleted only when a person says so: silent uninstalls (IT roll-out, upgrades
  by script) always keep it, and the question defaults to "No". }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Dir: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  Dir := OperatorDataDir;
  if UninstallSilent or not DirExists(Dir) then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('DeleteDataPrompt'), [Dir]), mbConfirmation,
            MB_YESNO or MB_DEFBUTTON2) = IDYES then
  begin
    if not DelTree(Dir, True, True, True) then
      MsgBox(FmtMessage(CustomMessage('DeleteDataFailed'), [Dir]), mbError, MB_OK);
  end;
end;
