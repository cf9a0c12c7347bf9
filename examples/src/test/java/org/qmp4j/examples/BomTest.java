package org.qmp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM pins every library module (each directory with a module-info.java) at the project's
 * version, and nothing else: it has no parent, whose dependencyManagement would pin Netty,
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
        assertThat(managed).containsExactlyInAnyOrderElementsOf(libraryModules());
    }

    /** The artifact ids of the modules that ship a module-info.java. */
    private static List<String> libraryModules() throws Exception {
        List<String> modules = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.filter(d -> Files.exists(d.resolve("src/main/java/module-info.java"))).toList()) {
                modules.add(child(parse(dir.resolve("pom.xml")).getDocumentElement(), "artifactId"));
            }
        }
        assertThat(modules).isNotEmpty();
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
