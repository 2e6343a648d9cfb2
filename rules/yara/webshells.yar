/*
  exhunt built-in YARA rules: ASP.NET webshells of the Exchange campaigns
  and the families attackers dropped beside them. Written for exhunt; the
  meta keys are exhunt's (severity, outcome, cve, attack, marks; see
  src/rule/yara_rule.h). Each rule looks for what a shell must do (run
  code or commands from a request, walk drives, reach a database), never
  for a sample's own comments, so that re-written copies still match.
*/

private rule exhunt_server_page
{
  strings:
    $p1 = "<%@" ascii
    $p2 = "runat=\"server\"" ascii nocase
    $p3 = "runat=server" ascii nocase
    $p4 = "<%" ascii
    $h1 = "IHttpHandler" ascii
    $h2 = "WebService" ascii
  condition:
    any of them
}

rule exhunt_webshell_china_chopper_eval
{
  meta:
    description = "China Chopper-style shell: the request body is run by eval(..., \"unsafe\")"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003"
    marks = "webshell.file"
  strings:
    $eval = /eval\s*\(/ nocase
    $unsafe1 = "\"unsafe\"" nocase
    $unsafe2 = "'unsafe'" nocase
    $unsafe3 = "\\x75\\x6E\\x73\\x61" nocase
    $req = "Request" ascii
  condition:
    filesize < 2MB and $eval and $req and any of ($unsafe*)
}

rule exhunt_webshell_assembly_loader
{
  meta:
    description = "In-memory loader shell (Godzilla, Behinder, AntSword): decrypts request bytes and loads them as an assembly"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003,T1620"
    marks = "webshell.file"
  strings:
    $load1 = "Assembly.Load" ascii
    $load2 = "GetMethod(\"Load\"" ascii
    $load3 = ".Load(" ascii
    $dec1 = "CreateDecryptor" ascii
    $dec2 = "FromBase64String" ascii
    $dec3 = "TransformFinalBlock" ascii
    $req1 = "Request.BinaryRead" ascii
    $req2 = /Request\s*[\[\(.]/ ascii
    $inst = "CreateInstance" ascii
  condition:
    filesize < 2MB and exhunt_server_page and ($load1 or $load2 or ($load3 and $inst)) and any of ($dec*) and any of ($req*)
}

rule exhunt_webshell_xslt_script
{
  meta:
    description = "Shell hidden in an XSLT script block run by a trusted transform"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003"
    marks = "webshell.file"
  strings:
    $script = "msxsl:script" ascii nocase
    $trusted = "TrustedXslt" ascii
    $run1 = /eval\s*\(/ nocase
    $run2 = "WScript.Shell" ascii nocase
    $run3 = "Process" ascii
  condition:
    filesize < 2MB and $script and $trusted and any of ($run*)
}

rule exhunt_webshell_command_runner
{
  meta:
    description = "Page that starts cmd.exe or PowerShell with input from the request or a form field and returns the output"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003,T1059.003"
    marks = "webshell.file"
  strings:
    $start1 = "Process.Start" ascii nocase
    $start2 = /new\s+(System\.Diagnostics\.)?Process\s*\(\s*\)/ nocase
    $start4 = "ProcessStartInfo" ascii nocase
    $start5 = "WScript.Shell" ascii nocase
    $start6 = "WinExec" ascii
    $shell1 = "cmd.exe" ascii nocase
    $shell2 = "cmd /c" ascii nocase
    $shell3 = "powershell.exe" ascii nocase
    $shell4 = ".StartInfo.FileName" ascii nocase
    $shell5 = "ProcessStartInfo(" ascii nocase
    $shell6 = "COMSPEC" ascii nocase
    $out1 = "StandardOutput" ascii nocase
    $out2 = "StdOut" ascii nocase
    $out3 = "tempFile" ascii nocase
  condition:
    filesize < 2MB and exhunt_server_page and any of ($start*) and any of ($shell*) and any of ($out*)
}

rule exhunt_webshell_file_manager
{
  meta:
    description = "Page that lists drives and folders and reads, writes or deletes files for its caller"
    severity = "high"
    outcome = "compromise"
    attack = "T1505.003,T1083"
    marks = "webshell.file"
  strings:
    $drives = /GetLogicalDrives|DriveInfo\.GetDrives/ nocase
    $list1 = "GetDirectories" ascii nocase
    $list2 = "GetFiles" ascii nocase
    $list3 = "Directory.GetFiles" ascii nocase
    $act1 = "File.Delete" ascii nocase
    $act2 = "SaveAs(" ascii nocase
    $act3 = "WriteFile" ascii nocase
    $act4 = "TransmitFile" ascii nocase
    $act5 = "File.Copy" ascii nocase
    $act6 = "File.Create" ascii nocase
    $act7 = "StreamWriter" ascii nocase
    $op1 = "\"operation\"" ascii
    $op2 = "\"download\"" ascii nocase
  condition:
    filesize < 4MB and exhunt_server_page and
    (($drives and any of ($list*) and any of ($act*)) or (any of ($op*) and any of ($list*) and any of ($act*)))
}

rule exhunt_webshell_upload
{
  meta:
    description = "Page that saves an uploaded file under a path the request names"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003,T1105"
    marks = "webshell.file"
  strings:
    $files = "Request.Files" ascii nocase
    $save1 = "SaveAs(" ascii nocase
    $save2 = "FileMode.Create" ascii nocase
    $path1 = /MapPath\s*\(\s*Request/ nocase
    $path2 = "Request.Params" ascii nocase
    $path3 = /Request\s*\[\s*"/ ascii
    $path4 = /Request\s*\(\s*"/ ascii
  condition:
    filesize < 2MB and $files and any of ($save*) and any of ($path*)
}

rule exhunt_webshell_sql_client
{
  meta:
    description = "Page that connects to a database named by its caller and runs the caller's SQL"
    severity = "high"
    outcome = "compromise"
    attack = "T1505.003"
    marks = "webshell.file"
  strings:
    $conn1 = "SqlConnection" ascii
    $conn2 = "OleDbConnection" ascii
    $conn3 = "OdbcConnection" ascii
    $given1 = /ConnectionString\s*=\s*[^;\n]{0,80}(\.Text|Request)/ ascii
    $given2 = /Connection\s*\(\s*(txt|Request|[A-Za-z]+\.Text)/ ascii
    $given3 = /connectionString\s*=\s*"[^"\n]{0,40}"\s*\+/ ascii nocase
    $cmd1 = "SqlCommand(" ascii
    $cmd2 = "OleDbCommand(" ascii
    $cmd3 = "sp_stored_procedures" ascii
  condition:
    filesize < 4MB and exhunt_server_page and any of ($conn*) and any of ($given*) and any of ($cmd*)
}

rule exhunt_webshell_sniffer
{
  meta:
    description = "Page that opens a raw socket to capture the server's traffic"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003,T1040"
    marks = "webshell.file"
  strings:
    $raw = "SocketType.Raw" ascii
    $hdr = "HeaderIncluded" ascii
    $all = "ReceiveAll" ascii
  condition:
    filesize < 2MB and exhunt_server_page and $raw and ($hdr or $all)
}

rule exhunt_webshell_write_probe
{
  meta:
    description = "Page that walks folders and creates and deletes a test file in each: a search for writable folders"
    severity = "high"
    outcome = "compromise"
    attack = "T1505.003,T1083"
    marks = "webshell.file"
  strings:
    $walk1 = "GetDirectories" ascii nocase
    $walk2 = "GetAttributes" ascii nocase
    $create = "File.Create(" ascii nocase
    $test = /\\\\[Tt]est"\)/ ascii
  condition:
    filesize < 2MB and exhunt_server_page and any of ($walk*) and $create and $test
}

rule exhunt_webshell_multitool
{
  meta:
    description = "Page with several remote-administration capabilities at once (processes, drives, registry, database, sockets): an ASPXSpy-class shell"
    severity = "critical"
    outcome = "compromise"
    attack = "T1505.003"
    marks = "webshell.file"
  strings:
    $c1 = "GetLogicalDrives" ascii nocase
    $c2 = "Process.Start" ascii nocase
    $c3 = "GetProcesses" ascii nocase
    $c4 = "Registry.LocalMachine" ascii nocase
    $c5 = "RegistryKey" ascii nocase
    $c6 = "SqlConnection" ascii
    $c7 = "OleDbConnection" ascii
    $c8 = "System.Net.Sockets" ascii nocase
    $c9 = "ProcessStartInfo" ascii nocase
    $c10 = "File.Delete" ascii nocase
    $c11 = "DirectoryServices" ascii nocase
    $c12 = "WinExec" ascii
  condition:
    filesize < 4MB and exhunt_server_page and 5 of ($c*)
}

rule exhunt_oab_vdir_export_shell
{
  meta:
    description = "OAB virtual directory settings exported to a file with a server script in ExternalUrl: the CVE-2021-27065 webshell"
    severity = "critical"
    outcome = "compromise"
    cve = "CVE-2021-27065"
    attack = "T1505.003"
    marks = "webshell.file,proxylogon.oab_shell"
  strings:
    $oab1 = "ExternalUrl" ascii wide
    $oab2 = "InternalAuthenticationMethods" ascii wide
    $oab3 = "OfflineAddressBook" ascii wide nocase
    $script1 = "runat=\"server\"" ascii wide nocase
    $script2 = "<script" ascii wide nocase
    $script3 = "Request" ascii wide
  condition:
    filesize < 1MB and $oab1 and ($oab2 or $oab3) and ($script1 or ($script2 and $script3))
}

rule exhunt_proxyshell_mailbox_export_shell
{
  meta:
    description = "Mailbox exported as a PST-format file that carries a server script: the ProxyShell webshell"
    severity = "critical"
    outcome = "compromise"
    cve = "CVE-2021-34473,CVE-2021-34523,CVE-2021-31207"
    attack = "T1505.003"
    marks = "webshell.file,proxyshell.export_shell"
  strings:
    $s1 = "runat=\"server\"" ascii nocase
    $s2 = "runat=server" ascii nocase
    $s3 = "<script" ascii nocase
    $s4 = "<%@" ascii
    $s5 = /eval\s*\(/ ascii nocase
  condition:
    uint32(0) == 0x4E444221 and any of them
}

rule exhunt_lsass_minidump
{
  meta:
    description = "Minidump of the LSASS process: credentials taken from memory"
    severity = "critical"
    outcome = "compromise"
    attack = "T1003.001"
    marks = "credentials.dump"
  strings:
    $lsass1 = "lsass.exe" ascii wide nocase
    $lsass2 = "lsasrv.dll" ascii wide nocase
  condition:
    uint32(0) == 0x504D444D and all of them
}
