package org.qmp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM pins every published module of the build (all but the example programs and the BOM
 * itself) at the project's version, and nothing else: it has no parent, whose dependencyManagement would pin Netty,
 * Jackson and JUnit for the user too.
 */
class BomTest {
    private static final Path ROOT = Path.of(System.getProperty("qmp4j.root", ".."));

    @Test
    void bomPinsEveryLibraryModuleAtTheProjectVersion() throws Exception {
        Document bom = parse(ROOT.resolve("bom/pom.xml"));
        Document parent = parse(ROOT.resolve("pom.xml"));
        String version = child(parent.getDocumentElement(), "version");

        assertThat(bom.getElementsByTagName("parent").getLength()).isZero();
        assertThat(child(bom.getDocumentElement(), "artifactId")).isEqualTo("qmp4j-bom");
        assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(version);
        List<String> managed = new ArrayList<>();
        NodeList dependencies = bom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element d = (Element) dependencies.item(i);
            assertThat(child(d, "groupId")).isEqualTo("org.qmp4j");
            assertThat(child(d, "version")).as(child(d, "artifactId")).isEqualTo(version);
            managed.add(child(d, "artifactId"));
        }
        assertThat(managed).containsExactlyInAnyOrderElementsOf(publishedModules(parent))
                .contains("qmp-core", "qga-client", "snapshot-api", "qmp4j-testkit");
    }

    /** The artifact ids of the build's modules, less the examples and the BOM. */
    private static List<String> publishedModules(Document parent) throws Exception {
        List<String> modules = new ArrayList<>();
        NodeList names = parent.getElementsByTagName("module");
        for (int i = 0; i < names.getLength(); i++) {
            String dir = names.item(i).getTextContent().trim();
            String artifact = child(parse(ROOT.resolve(dir).resolve("pom.xml")).getDocumentElement(), "artifactId");
            if (!artifact.equals("examples") && !artifact.equals("qmp4j-bom")) {
                modules.add(artifact);
            }
        }
        return modules;
    }

    private static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    /** The text of {@code element}'s direct child called {@code name}. */
    private static String child(Element element, String name) {
        NodeList children = element.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        throw new AssertionError(element.getTagName() + " has no <" + name + ">");
    }
}
