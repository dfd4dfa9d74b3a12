//! A Common Cartridge 1.1 (web page with image, web link, discussion) and a 1.3 one with the
//! assignment extension, as their manifests look.

pub fn manifest(version_meta: &str, org: &str, resources: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cctd0001"
  xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
  xmlns:lom="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource"
  xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest">
  <metadata>
    {version_meta}
    <lomimscc:lom>
      <lomimscc:general>
        <lomimscc:title>
          <lomimscc:string language="de">Physik 9</lomimscc:string>
        </lomimscc:title>
      </lomimscc:general>
    </lomimscc:lom>
  </metadata>
  <organizations>
    <organization identifier="org_1" structure="rooted-hierarchy">
      <item identifier="root">{org}</item>
    </organization>
  </organizations>
  <resources>{resources}</resources>
</manifest>"#
    )
}

pub const V11: &str = "<schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion>";

pub fn cc11_entries() -> Vec<(String, Vec<u8>)> {
    let org = r#"
        <item identifier="intro_ref" identifierref="res_intro"><title>Über den Kurs</title></item>
        <item identifier="w1">
          <title>Woche 1: Optik</title>
          <item identifier="i1" identifierref="res_page"><title>Licht und Schatten</title></item>
          <item identifier="i2" identifierref="res_link"><title>Simulation</title></item>
          <item identifier="i3" identifierref="res_disc"><title>Fragen zur Optik</title></item>
        </item>"#;
    let resources = r#"
        <resource identifier="res_intro" type="webcontent" href="web_resources/syllabus.pdf">
          <file href="web_resources/syllabus.pdf"/>
        </resource>
        <resource identifier="res_page" type="webcontent" href="pages/licht.html">
          <file href="pages/licht.html"/>
          <file href="pages/bilder/strahl%201.png"/>
        </resource>
        <resource identifier="res_link" type="imswl_xmlv1p1">
          <file href="links/sim.xml"/>
        </resource>
        <resource identifier="res_disc" type="imsdt_xmlv1p1">
          <file href="disc/fragen.xml"/>
        </resource>"#;
    let page = r##"<!DOCTYPE html>
<html><head><title>Licht</title></head>
<body>
<h1>Licht</h1><img src="bilder/strahl%201.png?v=2"><a href="https://example.org/x">extern</a>
<a href="fehlt.pdf">weg</a><a href="#oben">oben</a>
</body></html>"##;
    let link = r#"<?xml version="1.0" encoding="UTF-8"?>
<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1">
  <title>PhET Simulation</title>
  <url href="https://phet.colorado.edu/de/simulations/bending-light" target="_blank"/>
</webLink>"#;
    let disc = r#"<?xml version="1.0" encoding="UTF-8"?>
<topic xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1">
  <title>Fragen zur Optik</title><text texttype="text/html">Fragt hier.</text>
</topic>"#;
    let v: Vec<(String, Vec<u8>)> = vec![
        (
            "imsmanifest.xml".into(),
            manifest(V11, org, resources).into_bytes(),
        ),
        ("web_resources/syllabus.pdf".into(), b"SYLLABUS".to_vec()),
        ("pages/licht.html".into(), page.as_bytes().to_vec()),
        ("pages/bilder/strahl 1.png".into(), b"STRAHL".to_vec()),
        ("links/sim.xml".into(), link.as_bytes().to_vec()),
        ("disc/fragen.xml".into(), disc.as_bytes().to_vec()),
    ];
    v
}

pub fn cc13_entries() -> Vec<(String, Vec<u8>)> {
    let meta = "<schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion>";
    let org = r#"<item identifier="s"><title>Projekt</title>
        <item identifier="sub"><title>Unterordner</title>
          <item identifier="a" identifierref="res_asg"><title>Messprotokoll</title></item>
        </item></item>"#;
    let resources = r#"<resource identifier="res_asg" type="assignment_xmlv1p0" href="asg/assignment.xml">
          <file href="asg/assignment.xml"/><file href="asg/vorlage.odt"/>
        </resource>"#;
    let asg = r#"<?xml version="1.0" encoding="UTF-8"?>
<assignment xmlns="http://www.imsglobal.org/xsd/imscc_extensions/assignment" identifier="res_asg">
  <title>Messprotokoll</title>
  <text texttype="text/html">&lt;p&gt;Protokoll nach &lt;img src="$IMS-CC-FILEBASE$/skizze.png"&gt;&lt;/p&gt;</text>
  <gradable points_possible="15">true</gradable>
  <attachments><attachment href="vorlage.odt" role="Student"/></attachments>
</assignment>"#;
    vec![
        (
            "imsmanifest.xml".into(),
            manifest(meta, org, resources).into_bytes(),
        ),
        ("asg/assignment.xml".into(), asg.as_bytes().to_vec()),
        ("asg/vorlage.odt".into(), b"ODT".to_vec()),
        ("asg/skizze.png".into(), b"SKIZZE".to_vec()),
    ]
}
